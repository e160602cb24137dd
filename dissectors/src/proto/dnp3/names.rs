//! Names of the object groups and variations (IEEE 1815-2012 Annex A), as tshark labels them;
//! an object not listed here gets the "unknown object" expert item.

/// The label of object `gv` (group << 8 | variation), or None for an unknown one.
pub fn object_name(gv: u16) -> Option<&'static str> {
    let g = gv >> 8;
    let v = gv & 0xff;
    if g == 0 {
        return device_attribute(v as u8);
    }
    OBJECTS
        .binary_search_by_key(&gv, |(k, _)| *k)
        .ok()
        .map(|i| OBJECTS[i].1)
}

fn device_attribute(v: u8) -> Option<&'static str> {
    Some(match v {
        196 => "Device Attributes - Configuration ID (Obj:00, Var:196)",
        197 => "Device Attributes - Configuration version (Obj:00, Var:197)",
        198 => "Device Attributes - Configuration build date (Obj:00, Var:198)",
        199 => "Device Attributes - Configuration last change date (Obj:00, Var:199)",
        200 => "Device Attributes - Configuration signature (Obj:00, Var:200)",
        201 => "Device Attributes - Configuration signature algorithm (Obj:00, Var:201)",
        202 => "Device Attributes - Master Resource ID (mRID) (Obj:00, Var:202)",
        203 => "Device Attributes - Device altitude (Obj:00, Var:203)",
        204 => "Device Attributes - Device longitude (Obj:00, Var:204)",
        205 => "Device Attributes - Device latitude (Obj:00, Var:205)",
        206 => "Device Attributes - User-assigned secondary operator name (Obj:00, Var:206)",
        207 => "Device Attributes - User-assigned primary operator name (Obj:00, Var:207)",
        208 => "Device Attributes - User-assigned system name (Obj:00, Var:208)",
        209 => "Device Attributes - Secure authentication version (Obj:00, Var:209)",
        210 => "Device Attributes - Number of security statistics per association (Obj:00, Var:210)",
        211 => "Device Attributes - Identifier of support for user-specific attributes (Obj:00, Var:211)",
        212 => "Device Attributes - Number of master-defined data set prototypes (Obj:00, Var:212)",
        213 => "Device Attributes - Number of outstation-defined data set prototypes (Obj:00, Var:213)",
        214 => "Device Attributes - Number of master-defined data sets (Obj:00, Var:214)",
        215 => "Device Attributes - Number of outstation-defined data sets (Obj:00, Var:215)",
        216 => "Device Attributes - Max number of binary outputs per request (Obj:00, Var:216)",
        217 => "Device Attributes - Local timing accuracy (Obj:00, Var:217)",
        218 => "Device Attributes - Duration of timing accuracy (Obj:00, Var:218)",
        219 => "Device Attributes - Support for analog output events (Obj:00, Var:219)",
        220 => "Device Attributes - Max analog output index (Obj:00, Var:220)",
        221 => "Device Attributes - Number of analog outputs (Obj:00, Var:221)",
        222 => "Device Attributes - Support for binary output events (Obj:00, Var:222)",
        223 => "Device Attributes - Max binary output index (Obj:00, Var:223)",
        224 => "Device Attributes - Number of binary outputs (Obj:00, Var:224)",
        225 => "Device Attributes - Support for frozen counter events (Obj:00, Var:225)",
        226 => "Device Attributes - Support for frozen counters (Obj:00, Var:226)",
        227 => "Device Attributes - Support for counter events (Obj:00, Var:227)",
        228 => "Device Attributes - Max counter index (Obj:00, Var:228)",
        229 => "Device Attributes - Number of counter points (Obj:00, Var:229)",
        230 => "Device Attributes - Support for frozen analog inputs (Obj:00, Var:230)",
        231 => "Device Attributes - Support for analog input events (Obj:00, Var:231)",
        232 => "Device Attributes - Maximum analog input index (Obj:00, Var:232)",
        233 => "Device Attributes - Number of analog input points (Obj:00, Var:233)",
        234 => "Device Attributes - Support for Double-Bit BI Events (Obj:00, Var:234)",
        235 => "Device Attributes - Max Double-bit BI Point Index (Obj:00, Var:235)",
        236 => "Device Attributes - Number of Double-bit BI Points (Obj:00, Var:236)",
        237 => "Device Attributes - Support for Binary Input Events (Obj:00, Var:237)",
        238 => "Device Attributes - Max Binary Input Point Index (Obj:00, Var:238)",
        239 => "Device Attributes - Number of Binary Input Points (Obj:00, Var:239)",
        240 => "Device Attributes - Maximum Transmit Fragment Size (Obj:00, Var:240)",
        241 => "Device Attributes - Maximum Receive Fragment Size (Obj:00, Var:241)",
        242 => "Device Attributes - Device Manufacturers SW Version (Obj:00, Var:242)",
        243 => "Device Attributes - Device Manufacturers HW Version (Obj:00, Var:243)",
        245 => "Device Attributes - User-Assigned Location (Obj:00, Var:245)",
        246 => "Device Attributes - User-Assigned ID code/number (Obj:00, Var:246)",
        247 => "Device Attributes - User-Assigned Device Name (Obj:00, Var:247)",
        248 => "Device Attributes - Device Serial Number (Obj:00, Var:248)",
        249 => "Device Attributes - DNP Subset and Conformance (Obj:00, Var:249)",
        250 => "Device Attributes - Device Product Name and Model (Obj:00, Var:250)",
        252 => "Device Attributes - Device Manufacturers Name (Obj:00, Var:252)",
        254 => "Device Attributes - Non-specific All-attributes Request (Obj:00, Var:254)",
        255 => "Device Attributes - List of Attribute Variations (Obj:00, Var:255)",
        _ => return None,
    })
}

/// Groups 1 and up, sorted by code.
static OBJECTS: &[(u16, &str)] = &[
    (
        0x0100,
        "Binary Input Default Variation (Obj:01, Var:Default)",
    ),
    (0x0101, "Single-Bit Binary Input (Obj:01, Var:01)"),
    (0x0102, "Binary Input With Status (Obj:01, Var:02)"),
    (
        0x0200,
        "Binary Input Change Default Variation (Obj:02, Var:Default)",
    ),
    (0x0201, "Binary Input Change Without Time (Obj:02, Var:01)"),
    (0x0202, "Binary Input Change With Time (Obj:02, Var:02)"),
    (
        0x0203,
        "Binary Input Change With Relative Time (Obj:02, Var:03)",
    ),
    (
        0x0300,
        "Double-bit Input Default Variation (Obj:03, Var:Default)",
    ),
    (0x0301, "Double-bit Input No Flags (Obj:03, Var:01)"),
    (0x0302, "Double-bit Input With Status (Obj:03, Var:02)"),
    (
        0x0400,
        "Double-bit Input Change Default Variation (Obj:04, Var:Default)",
    ),
    (
        0x0401,
        "Double-bit Input Change Without Time (Obj:04, Var:01)",
    ),
    (0x0402, "Double-bit Input Change With Time (Obj:04, Var:02)"),
    (
        0x0403,
        "Double-bit Input Change With Relative Time (Obj:04, Var:03)",
    ),
    (
        0x0a00,
        "Binary Output Default Variation (Obj:10, Var:Default)",
    ),
    (0x0a01, "Binary Output (Obj:10, Var:01)"),
    (0x0a02, "Binary Output Status (Obj:10, Var:02)"),
    (
        0x0b00,
        "Binary Output Change Default Variation (Obj:11, Var:Default)",
    ),
    (0x0b01, "Binary Output Change Without Time (Obj:11, Var:01)"),
    (0x0b02, "Binary Output Change With Time (Obj:11, Var:02)"),
    (0x0c01, "Control Relay Output Block (Obj:12, Var:01)"),
    (0x0c02, "Pattern Control Block (Obj:12, Var:02)"),
    (0x0c03, "Pattern Mask (Obj:12, Var:03)"),
    (0x0d01, "Binary Command Event Without Time (Obj 13, Var:01)"),
    (0x0d02, "Binary Command Event With Time (Obj 13, Var:02)"),
    (
        0x1400,
        "Binary Counter Default Variation (Obj:20, Var:Default)",
    ),
    (0x1401, "32-Bit Binary Counter (Obj:20, Var:01)"),
    (0x1402, "16-Bit Binary Counter (Obj:20, Var:02)"),
    (0x1403, "32-Bit Binary Delta Counter (Obj:20, Var:03)"),
    (0x1404, "16-Bit Binary Delta Counter (Obj:20, Var:04)"),
    (
        0x1405,
        "32-Bit Binary Counter Without Flag (Obj:20, Var:05)",
    ),
    (
        0x1406,
        "16-Bit Binary Counter Without Flag (Obj:20, Var:06)",
    ),
    (
        0x1407,
        "32-Bit Binary Delta Counter Without Flag (Obj:20, Var:07)",
    ),
    (
        0x1408,
        "16-Bit Binary Delta Counter Without Flag (Obj:20, Var:08)",
    ),
    (
        0x1500,
        "Frozen Binary Counter Default Variation (Obj:21, Var:Default)",
    ),
    (0x1501, "32-Bit Frozen Binary Counter (Obj:21, Var:01)"),
    (0x1502, "16-Bit Frozen Binary Counter (Obj:21, Var:02)"),
    (
        0x1503,
        "32-Bit Frozen Binary Delta Counter (Obj:21, Var:03)",
    ),
    (
        0x1504,
        "16-Bit Frozen Binary Delta Counter (Obj:21, Var:04)",
    ),
    (
        0x1505,
        "32-Bit Frozen Binary Counter With Flag and Time (Obj:21, Var:05)",
    ),
    (
        0x1506,
        "16-Bit Frozen Binary Counter With Flag and Time (Obj:21, Var:06)",
    ),
    (
        0x1507,
        "32-Bit Frozen Binary Delta Counter With Flag and Time (Obj:21, Var:07)",
    ),
    (
        0x1508,
        "16-Bit Frozen Binary Delta Counter With Flag and Time (Obj:21, Var:08)",
    ),
    (
        0x1509,
        "32-Bit Frozen Binary Counter Without Flag (Obj:21, Var:09)",
    ),
    (
        0x150a,
        "16-Bit Frozen Binary Counter Without Flag (Obj:21, Var:10)",
    ),
    (
        0x150b,
        "32-Bit Frozen Binary Delta Counter Without Flag (Obj:21, Var:11)",
    ),
    (
        0x150c,
        "16-Bit Frozen Binary Delta Counter Without Flag (Obj:21, Var:12)",
    ),
    (
        0x1600,
        "Binary Counter Change Default Variation (Obj:22, Var:Default)",
    ),
    (
        0x1601,
        "32-Bit Counter Change Event w/o Time (Obj:22, Var:01)",
    ),
    (
        0x1602,
        "16-Bit Counter Change Event w/o Time (Obj:22, Var:02)",
    ),
    (
        0x1603,
        "32-Bit Delta Counter Change Event w/o Time (Obj:22, Var:03)",
    ),
    (
        0x1604,
        "16-Bit Delta Counter Change Event w/o Time (Obj:22, Var:04)",
    ),
    (
        0x1605,
        "32-Bit Counter Change Event with Time (Obj:22, Var:05)",
    ),
    (
        0x1606,
        "16-Bit Counter Change Event with Time (Obj:22, Var:06)",
    ),
    (
        0x1607,
        "32-Bit Delta Counter Change Event with Time (Obj:22, Var:07)",
    ),
    (
        0x1608,
        "16-Bit Delta Counter Change Event with Time (Obj:22, Var:08)",
    ),
    (
        0x1700,
        "Frozen Binary Counter Change Default Variation (Obj:23, Var:Default)",
    ),
    (
        0x1701,
        "32-Bit Frozen Counter Change Event w/o Time (Obj:23, Var:01)",
    ),
    (
        0x1702,
        "16-Bit Frozen Counter Change Event w/o Time (Obj:23, Var:02)",
    ),
    (
        0x1703,
        "32-Bit Frozen Delta Counter Change Event w/o Time (Obj:23, Var:03)",
    ),
    (
        0x1704,
        "16-Bit Frozen Delta Counter Change Event w/o Time (Obj:23, Var:04)",
    ),
    (
        0x1705,
        "32-Bit Frozen Counter Change Event with Time (Obj:23, Var:05)",
    ),
    (
        0x1706,
        "16-Bit Frozen Counter Change Event with Time (Obj:23, Var:06)",
    ),
    (
        0x1707,
        "32-Bit Frozen Delta Counter Change Event with Time (Obj:23, Var:07)",
    ),
    (
        0x1708,
        "16-Bit Frozen Delta Counter Change Event with Time (Obj:23, Var:08)",
    ),
    (
        0x1e00,
        "Analog Input Default Variation (Obj:30, Var:Default)",
    ),
    (0x1e01, "32-Bit Analog Input (Obj:30, Var:01)"),
    (0x1e02, "16-Bit Analog Input (Obj:30, Var:02)"),
    (0x1e03, "32-Bit Analog Input Without Flag (Obj:30, Var:03)"),
    (0x1e04, "16-Bit Analog Input Without Flag (Obj:30, Var:04)"),
    (0x1e05, "32-Bit Floating Point Input (Obj:30, Var:05)"),
    (0x1e06, "64-Bit Floating Point Input (Obj:30, Var:06)"),
    (0x1f01, "32-Bit Frozen Analog Input (Obj:31, Var:01)"),
    (0x1f02, "16-Bit Frozen Analog Input (Obj:31, Var:02)"),
    (
        0x1f03,
        "32-Bit Frozen Analog Input w/ Time of Freeze (Obj:31, Var:03)",
    ),
    (
        0x1f04,
        "16-Bit Frozen Analog Input w/ Time of Freeze (Obj:31, Var:04)",
    ),
    (
        0x1f05,
        "32-Bit Frozen Analog Input Without Flag (Obj:31, Var:05)",
    ),
    (
        0x1f06,
        "16-Bit Frozen Analog Input Without Flag (Obj:31, Var:06)",
    ),
    (
        0x1f07,
        "32-Bit Frozen Floating Point Input (Obj:31, Var:07)",
    ),
    (
        0x1f08,
        "64-Bit Frozen Floating Point Input (Obj:31, Var:08)",
    ),
    (
        0x2000,
        "Analog Input Change Default Variation (Obj:32, Var:Default)",
    ),
    (
        0x2001,
        "32-Bit Analog Change Event w/o Time (Obj:32, Var:01)",
    ),
    (
        0x2002,
        "16-Bit Analog Change Event w/o Time (Obj:32, Var:02)",
    ),
    (
        0x2003,
        "32-Bit Analog Change Event with Time (Obj:32, Var:03)",
    ),
    (
        0x2004,
        "16-Bit Analog Change Event with Time (Obj:32, Var:04)",
    ),
    (
        0x2005,
        "32-Bit Floating Point Change Event w/o Time (Obj:32, Var:05)",
    ),
    (
        0x2006,
        "64-Bit Floating Point Change Event w/o Time (Obj:32, Var:06)",
    ),
    (
        0x2007,
        "32-Bit Floating Point Change Event w/ Time (Obj:32, Var:07)",
    ),
    (
        0x2008,
        "64-Bit Floating Point Change Event w/ Time (Obj:32, Var:08)",
    ),
    (
        0x2101,
        "32-Bit Frozen Analog Event w/o Time (Obj:33, Var:01)",
    ),
    (
        0x2102,
        "16-Bit Frozen Analog Event w/o Time (Obj:33, Var:02)",
    ),
    (
        0x2103,
        "32-Bit Frozen Analog Event w/ Time (Obj:33, Var:03)",
    ),
    (
        0x2104,
        "16-Bit Frozen Analog Event w/ Time (Obj:33, Var:04)",
    ),
    (
        0x2105,
        "32-Bit Floating Point Frozen Change Event w/o Time (Obj:33, Var:05)",
    ),
    (
        0x2106,
        "64-Bit Floating Point Frozen Change Event w/o Time (Obj:33, Var:06)",
    ),
    (
        0x2107,
        "32-Bit Floating Point Frozen Change Event w/ Time (Obj:33, Var:07)",
    ),
    (
        0x2108,
        "64-Bit Floating Point Frozen Change Event w/ Time (Obj:33, Var:08)",
    ),
    (
        0x2200,
        "Analog Input Deadband Default Variation (Obj:34, Var:Default)",
    ),
    (0x2201, "16-Bit Analog Input Deadband (Obj:34, Var:01)"),
    (0x2202, "32-Bit Analog Input Deadband (Obj:34, Var:02)"),
    (
        0x2203,
        "32-Bit Floating Point Analog Input Deadband (Obj:34, Var:03)",
    ),
    (
        0x2800,
        "Analog Output Default Variation (Obj:40, Var:Default)",
    ),
    (0x2801, "32-Bit Analog Output Status (Obj:40, Var:01)"),
    (0x2802, "16-Bit Analog Output Status (Obj:40, Var:02)"),
    (
        0x2803,
        "32-Bit Floating Point Output Status (Obj:40, Var:03)",
    ),
    (
        0x2804,
        "64-Bit Floating Point Output Status (Obj:40, Var:04)",
    ),
    (0x2901, "32-Bit Analog Output Block (Obj:41, Var:01)"),
    (0x2902, "16-Bit Analog Output Block (Obj:41, Var:02)"),
    (
        0x2903,
        "32-Bit Floating Point Output Block (Obj:41, Var:03)",
    ),
    (
        0x2904,
        "64-Bit Floating Point Output Block (Obj:41, Var:04)",
    ),
    (
        0x2a00,
        "Analog Output Event Default Variation (Obj:42, Var:Default)",
    ),
    (
        0x2a01,
        "32-Bit Analog Output Event w/o Time (Obj:42, Var:01)",
    ),
    (
        0x2a02,
        "16-Bit Analog Output Event w/o Time (Obj:42, Var:02)",
    ),
    (
        0x2a03,
        "32-Bit Analog Output Event with Time (Obj:42, Var:03)",
    ),
    (
        0x2a04,
        "16-Bit Analog Output Event with Time (Obj:42, Var:04)",
    ),
    (
        0x2a05,
        "32-Bit Floating Point Output Event w/o Time (Obj:42, Var:05)",
    ),
    (
        0x2a06,
        "64-Bit Floating Point Output Event w/o Time (Obj:42, Var:06)",
    ),
    (
        0x2a07,
        "32-Bit Floating Point Output Event w/ Time (Obj:42, Var:07)",
    ),
    (
        0x2a08,
        "64-Bit Floating Point Output Event w/ Time (Obj:42, Var:08)",
    ),
    (
        0x2b01,
        "32-Bit Analog Output Event w/o Time (Obj:43, Var:01)",
    ),
    (
        0x2b02,
        "16-Bit Analog Output Event w/o Time (Obj:43, Var:02)",
    ),
    (
        0x2b03,
        "32-Bit Analog Output Event with Time (Obj:43, Var:03)",
    ),
    (
        0x2b04,
        "16-Bit Analog Output Event with Time (Obj:43, Var:04)",
    ),
    (
        0x2b05,
        "32-Bit Floating Point Output Event w/o Time (Obj:43, Var:05)",
    ),
    (
        0x2b06,
        "64-Bit Floating Point Output Event w/o Time (Obj:43, Var:06)",
    ),
    (
        0x2b07,
        "32-Bit Floating Point Output Event w/ Time (Obj:43, Var:07)",
    ),
    (
        0x2b08,
        "64-Bit Floating Point Output Event w/ Time (Obj:43, Var:08)",
    ),
    (
        0x3200,
        "Time and Date Default Variations (Obj:50, Var:Default)",
    ),
    (0x3201, "Time and Date (Obj:50, Var:01)"),
    (0x3202, "Time and Date w/Interval (Obj:50, Var:02)"),
    (0x3203, "Last Recorded Time and Date (Obj:50, Var:03)"),
    (0x3301, "Time and Date CTO (Obj:51, Var:01)"),
    (0x3302, "Unsynchronized Time and Date CTO (Obj:51, Var:02)"),
    (0x3402, "Time Delay - Fine (Obj:52, Var:02)"),
    (0x3c01, "Class 0 Data (Obj:60, Var:01)"),
    (0x3c02, "Class 1 Data (Obj:60, Var:02)"),
    (0x3c03, "Class 2 Data (Obj:60, Var:03)"),
    (0x3c04, "Class 3 Data (Obj:60, Var:04)"),
    (0x4603, "File Control - File Command (Obj:70, Var:03)"),
    (0x4604, "File Control - File Status (Obj:70, Var:04)"),
    (0x4605, "File Control - File Transport (Obj:70, Var:05)"),
    (
        0x4606,
        "File Control - File Transport Status (Obj:70, Var:06)",
    ),
    (0x5001, "Internal Indications (Obj:80, Var:01)"),
    (0x5501, "Data-Set Prototype, with UUID (Obj:85, Var:01)"),
    (
        0x5601,
        "Data-Set Descriptor, Data-Set Contents (Obj:86, Var:01)",
    ),
    (
        0x5602,
        "Data-Set Descriptor, Characteristics (Obj:86, Var:02)",
    ),
    (
        0x5603,
        "Data-Set Descriptor, Point Index Attributes (Obj:86, Var:03)",
    ),
    (0x5701, "Data-Set, Present Value (Obj:87, Var:01)"),
    (0x5801, "Data-Set, Snapshot (Obj:88, Var:01)"),
    (0x6e00, "Octet String (Obj:110)"),
    (0x6f00, "Octet String Event (Obj:111)"),
    (0x7000, "Virtual Terminal Output Block (Obj:112)"),
    (0x7100, "Virtual Terminal Event Data (Obj:113)"),
];

/// The group name a READ request shows in the Info column.
pub fn read_name(group: u8) -> &'static str {
    match group {
        0 => "Device Attribute",
        1 => "Binary Input",
        2 => "Binary Input Change",
        3 => "Double-bit Input",
        4 => "Double-bit Input Change",
        10 => "Binary Output",
        11 => "Binary Output Change",
        20 => "Counter",
        21 => "Frozen Counter",
        22 => "Counter Change",
        23 => "Frozen Counter Change",
        30 => "Analog Input",
        32 => "Analog Input Change",
        40 => "Analog Output",
        42 => "Analog Output Change",
        50 => "Time and Date",
        70 => "File Control",
        80 => "Internal Indications",
        110 => "Octet String",
        111 => "Octet String Event",
        113 => "Virtual Terminal Event Data",
        _ => "Unknown Object Type",
    }
}

/// The group name a WRITE request shows in the Info column.
pub fn write_name(group: u8) -> &'static str {
    match group {
        50 => "Time and Date",
        70 => "File Control",
        80 => "Internal Indications",
        110 => "Octet String",
        111 => "Octet String Event",
        112 => "Virtual Terminal Output Block",
        _ => "Unknown Object Type",
    }
}

/// Names of the IIN bits, by the bit's value in the 16-bit IIN word (first octet high).
pub fn iin_name(bit: u16) -> &'static str {
    match bit {
        0x0100 => "Broadcast message Rx'd",
        0x0200 => "Class 1 Data Available",
        0x0400 => "Class 2 Data Available",
        0x0800 => "Class 3 Data Available",
        0x1000 => "Time Sync Required from Master",
        0x2000 => "Digital Outputs in Local Mode",
        0x4000 => "Device Trouble",
        0x8000 => "Device Restart",
        0x0001 => "Function Code not implemented",
        0x0002 => "Requested Objects Unknown",
        0x0004 => "Parameters Invalid or Out of Range",
        0x0008 => "Event Buffer Overflow",
        0x0010 => "Operation Already Executing",
        0x0020 => "Device Configuration Corrupt",
        _ => "Invalid IIN bit",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn object_table_is_sorted() {
        assert!(super::OBJECTS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(super::object_name(0x0c01).is_some());
        assert!(super::object_name(0xff00).is_none());
        assert!(super::object_name(0x00d5).is_some());
        assert!(super::object_name(0x0000).is_none());
    }
}
