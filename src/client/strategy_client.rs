//! A strategy's connection to the appliance: its two rings (orders out,
//! reports in) and the control block.

use crate::ipc::control_block::ControlBlock;
use crate::ipc::ring_messages::{
    symbol_bytes, Cancel, Heartbeat, NewOrder, Replace, Report, RingMessage, Sync,
};
use crate::ipc::spsc_ring::{PushError, RecordBuf, RingConsumer, RingError, RingProducer};
use crate::ipc::strategy_rings::{self, StrategyRingsError};
use crate::telemetry::tsc::rdtsc;

pub struct StrategyClient {
    name: String,
    control: ControlBlock,
    orders: RingProducer,
    reports: RingConsumer,
    buf: RecordBuf,
    next_client_order_id: u64,
    heartbeats_sent: u64,
}

impl StrategyClient {
    /// Connects to the rings the appliance created for strategy `name`.
    pub fn connect(name: &str) -> Result<Self, StrategyRingsError> {
        let (orders, reports) = strategy_rings::open_existing(name)?;
        let control = ControlBlock::open_existing().map_err(|e| StrategyRingsError::Ring {
            name: name.to_string(),
            source: RingError::Shm(e),
        })?;
        let wrap = |source| StrategyRingsError::Ring {
            name: name.to_string(),
            source,
        };
        Ok(StrategyClient {
            name: name.to_string(),
            control,
            orders: orders.producer().map_err(wrap)?,
            reports: reports.consumer().map_err(wrap)?,
            buf: RecordBuf::default(),
            next_client_order_id: 1,
            heartbeats_sent: 0,
        })
    }

    /// Connects, waiting up to `timeout` for the appliance to create the
    /// rings (a strategy may start before its appliance).
    pub fn connect_within(
        name: &str,
        timeout: std::time::Duration,
    ) -> Result<Self, StrategyRingsError> {
        let started = std::time::Instant::now();
        loop {
            match Self::connect(name) {
                Err(StrategyRingsError::NotFound { .. })
                | Err(StrategyRingsError::Ring {
                    source: RingError::Shm(crate::ipc::shm_file::ShmError::Missing { .. }),
                    ..
                }) if started.elapsed() < timeout => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The appliance's control block (trading state, kill switch).
    pub fn control(&self) -> &ControlBlock {
        &self.control
    }

    /// Orders sent so far.
    pub fn orders_sent(&self) -> u64 {
        self.next_client_order_id - 1
    }

    fn send<T: RingMessage>(&mut self, message: &T) -> Result<(), PushError> {
        self.orders.send(message)
    }

    /// Sends a limit order; returns its client order id.
    pub fn send_order(
        &mut self,
        symbol: &str,
        side: u8,
        price: u32,
        qty: u32,
        tif: u8,
    ) -> Result<u64, PushError> {
        let id = self.next_client_order_id;
        self.send(&NewOrder {
            client_order_id: id,
            send_tsc: rdtsc(),
            symbol: symbol_bytes(symbol),
            price,
            qty,
            side,
            tif,
            reserved: [0; 6],
        })?;
        self.next_client_order_id += 1;
        Ok(id)
    }

    pub fn cancel(&mut self, client_order_id: u64) -> Result<(), PushError> {
        self.send(&Cancel {
            client_order_id,
            send_tsc: rdtsc(),
        })
    }

    pub fn replace(
        &mut self,
        client_order_id: u64,
        new_price: u32,
        new_qty: u32,
    ) -> Result<(), PushError> {
        self.send(&Replace {
            client_order_id,
            send_tsc: rdtsc(),
            new_price,
            new_qty,
        })
    }

    pub fn heartbeat(&mut self, unix_ns: u64) -> Result<(), PushError> {
        self.heartbeats_sent += 1;
        let sequence = self.heartbeats_sent;
        self.send(&Heartbeat {
            sent_unix_ns: unix_ns,
            sequence,
        })
    }

    /// Lockstep replays: everything sent before this answered snapshot `seq`.
    pub fn sync(&mut self, snapshot_seq: u64) -> Result<(), PushError> {
        self.send(&Sync { snapshot_seq })
    }

    /// The next report, if one is waiting.
    pub fn poll_report(&mut self) -> Result<Option<Report>, RingError> {
        if self.reports.try_pop(&mut self.buf)? {
            Ok(Some(Report::decode(self.buf.kind, self.buf.payload())))
        } else {
            Ok(None)
        }
    }

    /// Sends a raw record (for tests of the appliance's input validation).
    pub fn send_raw(&mut self, kind: u16, payload: &[u8]) -> Result<(), PushError> {
        self.orders.try_push(kind, payload)
    }
}
