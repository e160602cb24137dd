//! The USB seam for dongles without a serial port (the CC2531): [`UsbIo`] is what the driver
//! needs from a device (vendor control transfers and bulk IN reads), [`UsbBus`] finds and
//! opens one. [`NusbBus`] is the real thing through `nusb` (pure Rust, usbfs on Linux, no
//! libusb); tests and `--emulate` put a fake device behind the same traits.

use super::DongleError;
use std::time::Duration;

/// Why a USB transfer failed.
#[derive(Debug)]
pub enum UsbError {
    /// The device is gone (unplugged, reset).
    Gone(String),
    Other(String),
}

/// What a USB transfer gives.
pub type UsbResult<T> = Result<T, UsbError>;

/// A device's vendor and product ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbId {
    pub vendor: u16,
    pub product: u16,
}

/// A vendor control request to the device (USB 2.0 §9.3: bRequest, wValue, wIndex; the type
/// is vendor, the recipient the device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorRequest {
    pub request: u8,
    pub value: u16,
    pub index: u16,
}

impl VendorRequest {
    /// `request` with value and index 0.
    pub const fn new(request: u8) -> VendorRequest {
        VendorRequest {
            request,
            value: 0,
            index: 0,
        }
    }

    pub const fn index(self, index: u16) -> VendorRequest {
        VendorRequest { index, ..self }
    }
}

/// An opened USB device with its interface claimed.
pub trait UsbIo: Send {
    /// Vendor request, device → host, at most `len` bytes.
    fn control_in(&mut self, req: VendorRequest, len: u16) -> UsbResult<Vec<u8>>;
    /// Vendor request, host → device.
    fn control_out(&mut self, req: VendorRequest, data: &[u8]) -> UsbResult<()>;
    /// One bulk IN transfer; empty when nothing came within `timeout` (normal when idle).
    fn bulk_in(&mut self, endpoint: u8, max: usize, timeout: Duration) -> UsbResult<Vec<u8>>;
}

/// Where a device sits: (bus number, device address).
pub type UsbPlace = (u8, u8);

/// Finds and opens USB devices by vendor and product id.
pub trait UsbBus: Send {
    /// (bus, address, product string) of each matching device.
    fn list(&self, id: UsbId) -> Vec<(u8, u8, String)>;
    /// Opens the first match (or the one at `at`), selects configuration 1 and claims
    /// interface 0, detaching a kernel driver.
    fn open(&self, id: UsbId, at: Option<UsbPlace>) -> Result<Box<dyn UsbIo>, DongleError>;
}

/// The machine's USB devices, through nusb.
pub struct NusbBus;

const TIMEOUT: Duration = Duration::from_millis(1000);

impl UsbBus for NusbBus {
    fn list(&self, id: UsbId) -> Vec<(u8, u8, String)> {
        use nusb::MaybeFuture;
        let Ok(devices) = nusb::list_devices().wait() else {
            return vec![];
        };
        devices
            .filter(|d| d.vendor_id() == id.vendor && d.product_id() == id.product)
            .map(|d| {
                (
                    d.busnum(),
                    d.device_address(),
                    d.product_string().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    fn open(&self, id: UsbId, at: Option<UsbPlace>) -> Result<Box<dyn UsbIo>, DongleError> {
        use nusb::MaybeFuture;
        let what = format!("USB {:04x}:{:04x}", id.vendor, id.product);
        let devices = nusb::list_devices()
            .wait()
            .map_err(|e| DongleError::Gone(format!("{what}: cannot list USB devices: {e}")))?;
        let info = devices
            .filter(|d| d.vendor_id() == id.vendor && d.product_id() == id.product)
            .find(|d| at.is_none_or(|(b, a)| d.busnum() == b && d.device_address() == a))
            .ok_or_else(|| {
                DongleError::Gone(format!("{what}: no such device; is it plugged in?"))
            })?;
        let device = info.open().wait().map_err(|e| usb_open_error(&what, e))?;
        if device
            .active_configuration()
            .map(|c| c.configuration_value())
            .ok()
            != Some(1)
        {
            let _ = device.set_configuration(1).wait();
        }
        let interface = device
            .detach_and_claim_interface(0)
            .wait()
            .map_err(|e| usb_open_error(&what, e))?;
        Ok(Box::new(NusbIo {
            interface,
            endpoint: None,
        }))
    }
}

fn usb_open_error(what: &str, e: nusb::Error) -> DongleError {
    match e.kind() {
        nusb::ErrorKind::PermissionDenied => DongleError::Fatal(format!(
            "{what}: permission denied; add a udev rule giving your user access, e.g. \
             SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"0451\", ATTR{{idProduct}}==\"16ae\", MODE=\"0660\", GROUP=\"plugdev\""
        )),
        nusb::ErrorKind::Busy => DongleError::Fatal(format!("{what}: in use by another program ({e})")),
        nusb::ErrorKind::Disconnected | nusb::ErrorKind::NotFound => DongleError::Gone(format!("{what}: {e}")),
        _ => DongleError::Gone(format!("{what}: {e}")),
    }
}

struct NusbIo {
    interface: nusb::Interface,
    endpoint: Option<nusb::Endpoint<nusb::transfer::Bulk, nusb::transfer::In>>,
}

fn transfer_error(e: nusb::transfer::TransferError) -> UsbError {
    match e {
        nusb::transfer::TransferError::Disconnected => UsbError::Gone(e.to_string()),
        _ => UsbError::Other(e.to_string()),
    }
}

impl UsbIo for NusbIo {
    fn control_in(&mut self, req: VendorRequest, len: u16) -> UsbResult<Vec<u8>> {
        use nusb::transfer::{ControlIn, ControlType, Recipient};
        use nusb::MaybeFuture;
        let req = ControlIn {
            control_type: ControlType::Vendor,
            recipient: Recipient::Device,
            request: req.request,
            value: req.value,
            index: req.index,
            length: len,
        };
        self.interface
            .control_in(req, TIMEOUT)
            .wait()
            .map_err(transfer_error)
    }

    fn control_out(&mut self, req: VendorRequest, data: &[u8]) -> UsbResult<()> {
        use nusb::transfer::{ControlOut, ControlType, Recipient};
        use nusb::MaybeFuture;
        let req = ControlOut {
            control_type: ControlType::Vendor,
            recipient: Recipient::Device,
            request: req.request,
            value: req.value,
            index: req.index,
            data,
        };
        self.interface
            .control_out(req, TIMEOUT)
            .wait()
            .map_err(transfer_error)
    }

    fn bulk_in(&mut self, endpoint: u8, max: usize, timeout: Duration) -> UsbResult<Vec<u8>> {
        if self.endpoint.is_none() {
            let ep = self
                .interface
                .endpoint::<nusb::transfer::Bulk, nusb::transfer::In>(endpoint)
                .map_err(|e| UsbError::Other(e.to_string()))?;
            self.endpoint = Some(ep);
        }
        let ep = self.endpoint.as_mut().expect("endpoint set above");
        // Bulk IN lengths must be a multiple of the packet size.
        let mps = ep.max_packet_size().max(1);
        let len = max.div_ceil(mps) * mps;
        let c = ep.transfer_blocking(ep.allocate(len), timeout);
        match c.status {
            Ok(()) => Ok(c.buffer[..c.actual_len.min(c.buffer.len())].to_vec()),
            Err(nusb::transfer::TransferError::Cancelled) => {
                Ok(c.buffer[..c.actual_len.min(c.buffer.len())].to_vec())
            }
            Err(e) => Err(transfer_error(e)),
        }
    }
}
