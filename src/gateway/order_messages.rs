//! The application messages of order entry, FIX 4.2 and 4.4: the bodies we
//! write (NewOrderSingle D, OrderCancelRequest F, OrderCancelReplaceRequest
//! G, OrderStatusRequest H) and typed views of what venues send back
//! (ExecutionReport 8, OrderCancelReject 9, BusinessMessageReject j).
//!
//! Bodies carry the fields both versions require: HandlInst (21) and
//! OrderQty (38) on cancels are required in 4.2 and accepted in 4.4.
//! Orders are limit (40=2), time in force DAY (59=0).

use super::fix_encoder::FixEncoder;
use crate::wire::fix::{FixMessage, TagSlots};
use crate::wire::fix_value::{parse_price4, FieldValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn fix_code(self) -> u8 {
        match self {
            Side::Buy => b'1',
            Side::Sell => b'2',
        }
    }

    pub fn from_fix(code: u8) -> Option<Side> {
        match code {
            b'1' => Some(Side::Buy),
            b'2' => Some(Side::Sell),
            _ => None,
        }
    }
}

/// What identifies an order on the wire.
#[derive(Clone, Copy, Debug)]
pub struct OrderFields<'a> {
    pub cl_ord_id: &'a [u8],
    pub symbol: &'a [u8],
    pub side: Side,
    pub qty: u64,
    /// Price(4): 1/10,000 of a dollar.
    pub price: u32,
}

/// TransactTime (60) is the message's SendingTime: the order is created as
/// it is sent.
///
/// Written as a template: the constant runs between values (`SOH 21=1 SOH
/// 55=` ...) are single pieces, so the message costs 13 writes instead of
/// 27 (the order path's most frequent message; the bytes are the same as
/// field by field, which a test checks).
pub fn new_order_single(e: &mut FixEncoder, o: &OrderFields<'_>) {
    let now = *e.sending_time();
    e.raw(b"11=")
        .raw(o.cl_ord_id)
        .raw(b"\x0121=1\x0155=")
        .raw(o.symbol)
        .raw(b"\x0154=")
        .value_char(o.side.fix_code())
        .raw(b"\x0160=")
        .raw(&now)
        .raw(b"\x0138=")
        .value_u64(o.qty)
        .raw(b"\x0140=2\x0144=")
        .value_price4(o.price)
        .raw(b"\x0159=0\x01");
}

/// `o` is the order as it stands (its current ClOrdID is OrigClOrdID);
/// `cl_ord_id` names this request.
pub fn order_cancel_request(
    e: &mut FixEncoder,
    cl_ord_id: &[u8],
    o: &OrderFields<'_>,
    venue_order_id: Option<&[u8]>,
) {
    let now = *e.sending_time();
    e.field(41, o.cl_ord_id).field(11, cl_ord_id);
    if let Some(id) = venue_order_id {
        e.field(37, id);
    }
    e.field(55, o.symbol)
        .field_char(54, o.side.fix_code())
        .field(60, &now)
        .field_u64(38, o.qty);
}

/// `o` is the order as it stands; `qty` and `price` are the new terms.
pub fn order_cancel_replace_request(
    e: &mut FixEncoder,
    cl_ord_id: &[u8],
    o: &OrderFields<'_>,
    venue_order_id: Option<&[u8]>,
    qty: u64,
    price: u32,
) {
    let now = *e.sending_time();
    e.field(41, o.cl_ord_id).field(11, cl_ord_id);
    if let Some(id) = venue_order_id {
        e.field(37, id);
    }
    e.field_char(21, b'1')
        .field(55, o.symbol)
        .field_char(54, o.side.fix_code())
        .field(60, &now)
        .field_u64(38, qty)
        .field_char(40, b'2')
        .field_price4(44, price)
        .field_char(59, b'0');
}

/// OrderID (37) is required in 4.2; before the venue has named the order,
/// "NONE" stands in (the ClOrdID identifies it).
pub fn order_status_request(
    e: &mut FixEncoder,
    o: &OrderFields<'_>,
    venue_order_id: Option<&[u8]>,
) {
    e.field(37, venue_order_id.unwrap_or(b"NONE"))
        .field(11, o.cl_ord_id)
        .field(55, o.symbol)
        .field_char(54, o.side.fix_code());
}

/// A required field missing or unreadable: the message is answered with
/// Reject (35=3) naming the tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("tag {tag} {}", if *.missing { "is missing" } else { "has a bad value" })]
pub struct FieldError {
    pub tag: u32,
    pub missing: bool,
}

impl FieldError {
    /// SessionRejectReason (373): 1 required tag missing, 6 incorrect
    /// data format.
    pub fn session_reject_reason(self) -> u64 {
        if self.missing {
            1
        } else {
            6
        }
    }
}

/// `value`, or an error naming `tag` as unreadable.
#[inline(always)]
fn readable<T>(value: Option<T>, tag: u32) -> Result<T, FieldError> {
    value.ok_or(FieldError {
        tag,
        missing: false,
    })
}

fn required<'a>(m: &FixMessage<'a>, tag: u32) -> Result<&'a [u8], FieldError> {
    m.get(tag).ok_or(FieldError { tag, missing: true })
}

/// A price sent as a decimal, perhaps with a binary double's extra digits
/// ("190.24999999999"): rounded to Price(4). Reports only; orders we
/// send are exact.
#[cold]
pub fn parse_report_price4(v: &[u8]) -> Option<u32> {
    if let Some(p) = parse_price4(v) {
        return Some(p);
    }
    let dot = v.iter().position(|&b| b == b'.')?;
    if v.len() <= dot + 5 || !v[dot + 5..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let head = parse_price4(&v[..dot + 5])?;
    Some(if v[dot + 5] >= b'5' {
        head.checked_add(1)?
    } else {
        head
    })
}

/// An ExecutionReport (35=8).
#[derive(Clone, Copy, Debug)]
pub struct ExecutionReport<'a> {
    pub order_id: &'a [u8],
    pub cl_ord_id: &'a [u8],
    pub orig_cl_ord_id: Option<&'a [u8]>,
    pub exec_id: &'a [u8],
    /// ExecType (150).
    pub exec_type: u8,
    /// OrdStatus (39).
    pub ord_status: u8,
    pub cum_qty: u64,
    pub leaves_qty: Option<u64>,
    pub last_qty: u64,
    pub last_px: Option<u32>,
    pub text: &'a [u8],
}

const EXECUTION_REPORT: TagSlots<11> =
    TagSlots::new([37, 11, 41, 17, 150, 39, 14, 151, 32, 31, 58]);

/// Reads an ExecutionReport in one pass over its fields (the first value
/// of each tag counts).
pub fn parse_execution_report<'a>(m: &FixMessage<'a>) -> Result<ExecutionReport<'a>, FieldError> {
    let p = m.pick(&EXECUTION_REPORT);
    let present = |i, tag| p.value(i).ok_or(FieldError { tag, missing: true });
    Ok(ExecutionReport {
        order_id: present(0, 37)?.bytes(),
        cl_ord_id: present(1, 11)?.bytes(),
        orig_cl_ord_id: p.value(2).map(FieldValue::bytes),
        exec_id: present(3, 17)?.bytes(),
        exec_type: readable(present(4, 150)?.char(), 150)?,
        ord_status: readable(present(5, 39)?.char(), 39)?,
        cum_qty: readable(present(6, 14)?.qty(), 14)?,
        leaves_qty: match p.value(7) {
            Some(v) => Some(readable(v.qty(), 151)?),
            None => None,
        },
        // LastShares (32) is LastQty in 4.4: the same tag.
        last_qty: match p.value(8) {
            Some(v) => readable(v.qty(), 32)?,
            None => 0,
        },
        last_px: match p.value(9) {
            Some(v) => Some(readable(
                v.price4().or_else(|| parse_report_price4(v.bytes())),
                31,
            )?),
            None => None,
        },
        text: p.value(10).map_or(&b""[..], FieldValue::bytes),
    })
}

/// An OrderCancelReject (35=9).
#[derive(Clone, Copy, Debug)]
pub struct OrderCancelReject<'a> {
    pub cl_ord_id: &'a [u8],
    pub orig_cl_ord_id: Option<&'a [u8]>,
    pub ord_status: Option<u8>,
    /// CxlRejResponseTo (434): 1 cancel, 2 replace.
    pub response_to: u8,
    pub text: &'a [u8],
}

pub fn parse_order_cancel_reject<'a>(
    m: &FixMessage<'a>,
) -> Result<OrderCancelReject<'a>, FieldError> {
    Ok(OrderCancelReject {
        cl_ord_id: required(m, 11)?,
        orig_cl_ord_id: m.get(41),
        ord_status: m.get_char(39),
        response_to: m.get_char(434).unwrap_or(b'1'),
        text: m.get(58).unwrap_or(b""),
    })
}

/// A BusinessMessageReject (35=j): the peer refused one of our messages
/// (an unsupported type, say).
#[derive(Clone, Copy, Debug)]
pub struct BusinessReject<'a> {
    pub ref_seq: Option<u64>,
    pub ref_msg_type: &'a [u8],
    pub reason: Option<u64>,
    pub text: &'a [u8],
}

pub fn parse_business_reject<'a>(m: &FixMessage<'a>) -> BusinessReject<'a> {
    BusinessReject {
        ref_seq: m.get_u64(45),
        ref_msg_type: m.get(372).unwrap_or(b""),
        reason: m.get_u64(380),
        text: m.get(58).unwrap_or(b""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::fix::parse_frame;
    use crate::wire::fix::test_frames::frame;

    #[test]
    fn the_new_order_single_template_writes_the_same_bytes_as_field_by_field() {
        let mut template = FixEncoder::new("FIX.4.4", "BW", "EXECUTOR");
        let mut fields = FixEncoder::new("FIX.4.4", "BW", "EXECUTOR");
        for (i, (side, qty, price)) in [
            (Side::Buy, 100u64, 1_902_500u32),
            (Side::Sell, 1, 1),
            (Side::Buy, u64::MAX, u32::MAX),
            (Side::Sell, 0, 10_000),
        ]
        .into_iter()
        .enumerate()
        {
            let o = OrderFields {
                cl_ord_id: b"BWt4k2x1-1234567",
                symbol: b"BRK.A",
                side,
                qty,
                price,
            };
            let now_ns = 1_763_719_394_664_000_000 + i as u64 * 1_001_000_000;
            template.begin(b"D", 7 + i as u64, now_ns);
            new_order_single(&mut template, &o);
            fields.begin(b"D", 7 + i as u64, now_ns);
            let now = *fields.sending_time();
            fields
                .field(11, o.cl_ord_id)
                .field_char(21, b'1')
                .field(55, o.symbol)
                .field_char(54, o.side.fix_code())
                .field(60, &now)
                .field_u64(38, o.qty)
                .field_char(40, b'2')
                .field_price4(44, o.price)
                .field_char(59, b'0');
            assert_eq!(template.finish(), fields.finish(), "order {i}");
        }
    }

    fn body_of(e: &mut FixEncoder) -> String {
        let f = e.finish().to_vec();
        let (m, _) = parse_frame(&f).unwrap();
        let mut s = String::new();
        for (tag, v) in m.fields().skip(5) {
            if tag != 60 {
                s.push_str(&format!("{tag}={}|", String::from_utf8_lossy(v)));
            }
        }
        s
    }

    const ORDER: OrderFields<'static> = OrderFields {
        cl_ord_id: b"BW7",
        symbol: b"AAPL",
        side: Side::Buy,
        qty: 100,
        price: 1_902_500,
    };

    #[test]
    fn a_new_order_single_carries_every_field_both_versions_require() {
        let mut e = FixEncoder::new("FIX.4.2", "BW", "OM");
        e.begin(b"D", 2, 0);
        new_order_single(&mut e, &ORDER);
        assert_eq!(
            body_of(&mut e),
            "11=BW7|21=1|55=AAPL|54=1|38=100|40=2|44=190.25|59=0|"
        );
    }

    #[test]
    fn cancel_replace_and_status_requests_name_the_order_as_it_stands() {
        let mut e = FixEncoder::new("FIX.4.4", "BW", "EX");
        e.begin(b"F", 3, 0);
        order_cancel_request(&mut e, b"BW8", &ORDER, Some(b"V1"));
        assert_eq!(body_of(&mut e), "41=BW7|11=BW8|37=V1|55=AAPL|54=1|38=100|");
        e.begin(b"G", 4, 0);
        order_cancel_replace_request(&mut e, b"BW9", &ORDER, None, 50, 1_900_000);
        assert_eq!(
            body_of(&mut e),
            "41=BW7|11=BW9|21=1|55=AAPL|54=1|38=50|40=2|44=190|59=0|"
        );
        e.begin(b"H", 5, 0);
        order_status_request(&mut e, &ORDER, None);
        assert_eq!(body_of(&mut e), "37=NONE|11=BW7|55=AAPL|54=1|");
    }

    #[test]
    fn an_execution_report_from_quickfix_executor_reads_as_a_fill() {
        let f = frame(
            "FIX.4.4",
            "35=8|34=2|49=EX|56=BW|52=20240101-00:00:00|6=190.25|11=BW7|14=100|17=1|31=190.25|32=100|37=1|38=100|39=2|54=1|55=AAPL|150=F|151=0|",
        );
        let (m, _) = parse_frame(&f).unwrap();
        let r = parse_execution_report(&m).unwrap();
        assert_eq!(
            (r.exec_type, r.ord_status, r.cum_qty, r.leaves_qty),
            (b'F', b'2', 100, Some(0))
        );
        assert_eq!(
            (r.last_qty, r.last_px, r.cl_ord_id),
            (100, Some(1_902_500), &b"BW7"[..])
        );
    }

    #[test]
    fn a_report_missing_a_required_field_names_the_tag() {
        let f = frame("FIX.4.4", "35=8|34=2|11=BW7|17=1|37=1|39=0|150=0|");
        let (m, _) = parse_frame(&f).unwrap();
        let err = parse_execution_report(&m).unwrap_err();
        assert_eq!(
            err,
            FieldError {
                tag: 14,
                missing: true
            }
        );
        assert_eq!(err.session_reject_reason(), 1);
        let f = frame("FIX.4.4", "35=8|34=2|11=BW7|14=x|17=1|37=1|39=0|150=0|");
        let (m, _) = parse_frame(&f).unwrap();
        assert_eq!(
            parse_execution_report(&m).unwrap_err(),
            FieldError {
                tag: 14,
                missing: false
            }
        );
    }

    #[test]
    fn report_prices_with_binary_double_digits_round_to_price4() {
        assert_eq!(parse_report_price4(b"190.25"), Some(1_902_500));
        assert_eq!(parse_report_price4(b"190.24999999999"), Some(1_902_500));
        assert_eq!(parse_report_price4(b"190.25001"), Some(1_902_500));
        assert_eq!(parse_report_price4(b"0.00005"), Some(1));
        assert_eq!(parse_report_price4(b"1.2x"), None);
        assert_eq!(parse_report_price4(b"1.23456x"), None);
    }
}
