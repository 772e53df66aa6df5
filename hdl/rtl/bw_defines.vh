// Breakwater risk-check widths and codes, shared by every module.
// The Rust golden model (src/risk/order_checks.rs) uses the same values.
`ifndef BW_DEFINES_VH
`define BW_DEFINES_VH

`define BW_SYM_BITS      10   // 1,024 symbols in the limits table
`define BW_PRICE_BITS    32   // ITCH Price(4): 1/10,000 dollar
`define BW_QTY_BITS      32   // shares
`define BW_BPS_BITS      16   // collar half-width, basis points
`define BW_NOTIONAL_BITS 64   // price x qty
`define BW_TAG_BITS      32   // opaque order tag, returned with the verdict
`define BW_REASON_BITS   5

// Reason bits (RejectReasons in Rust).
`define BW_REASON_COLLAR     0
`define BW_REASON_SIZE       1
`define BW_REASON_NOTIONAL   2
`define BW_REASON_LULD       3
`define BW_REASON_RESTRICTED 4

// Register map: address = {symbol, field}.
`define BW_FIELD_BITS        3
`define BW_ADDR_BITS         13   // BW_SYM_BITS + BW_FIELD_BITS
`define BW_FIELD_REF_PRICE    3'd0
`define BW_FIELD_COLLAR_BPS   3'd1
`define BW_FIELD_MAX_QTY      3'd2
`define BW_FIELD_NOTIONAL_LO  3'd3
`define BW_FIELD_NOTIONAL_HI  3'd4
`define BW_FIELD_LULD_LOWER   3'd5
`define BW_FIELD_LULD_UPPER   3'd6
`define BW_FIELD_FLAGS        3'd7

// Cycles from an accepted input to its verdict on the outputs.
`define BW_LATENCY 3

`endif
