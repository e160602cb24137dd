//! The byte stream a dongle is read through: [`Port`]. A serial device (CDC-ACM, a UART
//! adapter), the pseudo-terminal of an emulator and a recorded byte file all implement it, so
//! the same deframers and setup code drive each of them.
//!
//! Opening a serial device ([`open_serial`]) turns the usual failures into messages that say
//! what to do: a missing path, a path that is not a serial device, permission denied (the
//! `dialout` group), a port another program holds.

use super::DongleError;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A byte stream to and from a dongle.
pub trait Port: Send {
    /// Reads what is there, waiting at most the port's poll interval: `Ok(0)` means nothing
    /// arrived yet; an error means the device is gone.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Changes the baud rate (a no-op where it means nothing).
    fn set_baud(&mut self, baud: u32) -> io::Result<()>;
}

/// How long one read waits for bytes: short, so the supervisor's timers stay responsive.
pub const POLL: Duration = Duration::from_millis(50);

/// An open serial device (or pseudo-terminal).
pub struct SerialPort {
    port: serialport::TTYPort,
    path: PathBuf,
}

impl Port for SerialPort {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.port.read(buf) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the device hung up",
            )),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()
    }

    fn set_baud(&mut self, baud: u32) -> io::Result<()> {
        use serialport::SerialPort as _;
        self.port.set_baud_rate(baud).map_err(io::Error::from)
    }
}

impl SerialPort {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Opens `path` at `baud`, 8N1, raw, no flow control. DTR and RTS are raised best effort:
/// the nRF sniffer's shell waits for DTR, and a device without the lines (a pseudo-terminal,
/// some adapters) answers ENOTTY, which is not a reason to fail.
pub fn open_serial(path: &Path, baud: u32) -> Result<SerialPort, DongleError> {
    check_path(path)?;
    let builder = serialport::new(path.to_string_lossy(), baud).timeout(POLL);
    let mut port = serialport::TTYPort::open(&builder).map_err(|e| open_error(path, e))?;
    {
        use serialport::SerialPort as _;
        let _ = port.write_data_terminal_ready(true);
        let _ = port.write_request_to_send(true);
    }
    Ok(SerialPort {
        port,
        path: path.to_path_buf(),
    })
}

/// The checks that give a better message than the open call would.
fn check_path(path: &Path) -> Result<(), DongleError> {
    use std::os::unix::fs::FileTypeExt;
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(DongleError::Gone(format!(
                "{shown}: no such device; is the dongle plugged in? (lowshark -D lists the dongles it sees)"
            )))
        }
        Err(e) => return Err(DongleError::Fatal(format!("{shown}: {e}"))),
    };
    if !meta.file_type().is_char_device() {
        return Err(DongleError::Fatal(format!(
            "{shown}: not a serial device (expected something like /dev/ttyACM0 or /dev/ttyUSB0)"
        )));
    }
    Ok(())
}

fn open_error(path: &Path, e: serialport::Error) -> DongleError {
    let shown = path.display();
    let io_kind = match e.kind() {
        serialport::ErrorKind::Io(k) => Some(k),
        _ => None,
    };
    let text = e.to_string();
    if io_kind == Some(io::ErrorKind::PermissionDenied) || text.contains("ermission denied") {
        return DongleError::Fatal(format!(
            "{shown}: permission denied; add yourself to the group that owns it \
             (usually `sudo usermod -aG dialout $USER`, then log in again) or fix its udev rule"
        ));
    }
    if io_kind == Some(io::ErrorKind::NotFound) || text.contains("No such") {
        return DongleError::Gone(format!(
            "{shown}: no such device; is the dongle plugged in?"
        ));
    }
    if text.contains("busy") || text.contains("Resource temporarily unavailable") {
        return DongleError::Fatal(format!(
            "{shown}: in use by another program (a terminal, ModemManager, another capture); close it first"
        ));
    }
    if text.contains("Inappropriate ioctl") || text.contains("Not a typewriter") {
        return DongleError::Fatal(format!("{shown}: not a serial device ({text})"));
    }
    DongleError::Gone(format!("{shown}: cannot open: {text}"))
}

/// A recorded byte stream (a file captured from a dongle, or bytes a test built): reads give
/// it in small chunks, then report the device gone; writes are discarded.
pub struct Recorded {
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
}

impl Recorded {
    pub fn new(data: Vec<u8>, chunk: usize) -> Recorded {
        Recorded {
            data,
            pos: 0,
            chunk: chunk.max(1),
        }
    }
}

impl Port for Recorded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.data.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of recording",
            ));
        }
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }

    fn write_all(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn set_baud(&mut self, _baud: u32) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_and_not_a_device_say_what_to_do() {
        let e = open_serial(Path::new("/nonexistent/ttyACM9"), 115200)
            .err()
            .unwrap();
        assert!(matches!(e, DongleError::Gone(_)));
        assert!(e.to_string().contains("plugged in"), "{e}");
        let e = open_serial(Path::new("/etc/hostname"), 115200)
            .err()
            .unwrap();
        assert!(matches!(e, DongleError::Fatal(_)));
        assert!(e.to_string().contains("not a serial device"), "{e}");
        let e = open_serial(Path::new("/dev/null"), 115200).err().unwrap();
        assert!(e.to_string().contains("not a serial device"), "{e}");
    }
}
