// risk_check: the FPGA pre-trade check. Runs the collar, size, notional,
// LULD-band and restricted checks in parallel on one order per clock and
// emits one verdict with a reason bitmask.
//
// Pipeline (`BW_LATENCY = 3 cycles from input handshake to output):
//   stage 1  register the order; read the symbol's limits (block RAM)
//   stage 2  differences and products
//   stage 3  comparisons -> reason bits (out_* are stage-3 registers)
// Handshake: valid/ready on both sides. The whole pipeline advances when
// the output register is empty or being taken (`advance`), so the input is
// ready in exactly those cycles; with out_ready held high it accepts one
// order every clock.
`include "hdl/rtl/bw_defines.vh"
`default_nettype none

module risk_check (
    input  wire                        clk,
    input  wire                        rst,
    // order in
    input  wire                        in_valid,
    output wire                        in_ready,
    input  wire [`BW_SYM_BITS-1:0]     in_sym,
    input  wire [`BW_PRICE_BITS-1:0]   in_price,
    input  wire [`BW_QTY_BITS-1:0]     in_qty,
    input  wire [`BW_TAG_BITS-1:0]     in_tag,
    // verdict out
    output wire                        out_valid,
    input  wire                        out_ready,
    output wire                        out_accept,
    output wire [`BW_REASON_BITS-1:0]  out_reasons,
    output wire [`BW_TAG_BITS-1:0]     out_tag,
    // register port (see symbol_limits_ram.v and hdl/README.md)
    input  wire                        cfg_we,
    input  wire [`BW_ADDR_BITS-1:0]    cfg_addr,
    input  wire [31:0]                 cfg_data
);
    reg  s1_valid, s2_valid, s3_valid;
    reg  [`BW_TAG_BITS-1:0]   s1_tag, s2_tag, s3_tag;
    reg  [`BW_PRICE_BITS-1:0] s1_price;
    reg  [`BW_QTY_BITS-1:0]   s1_qty;

    wire advance = !s3_valid || out_ready;
    assign in_ready = advance;

    wire [`BW_PRICE_BITS-1:0]    ref_price;
    wire [`BW_BPS_BITS-1:0]      collar_bps;
    wire [`BW_QTY_BITS-1:0]      max_qty;
    wire [`BW_NOTIONAL_BITS-1:0] max_notional;
    wire [`BW_PRICE_BITS-1:0]    luld_lower;
    wire [`BW_PRICE_BITS-1:0]    luld_upper;
    wire                         restricted;

    symbol_limits_ram u_limits (
        .clk(clk),
        .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_data(cfg_data),
        .rd_en(advance), .rd_sym(in_sym),
        .ref_price(ref_price), .collar_bps(collar_bps), .max_qty(max_qty),
        .max_notional(max_notional), .luld_lower(luld_lower),
        .luld_upper(luld_upper), .restricted(restricted)
    );

    always @(posedge clk) begin
        if (rst) begin
            s1_valid <= 1'b0;
            s2_valid <= 1'b0;
            s3_valid <= 1'b0;
        end else if (advance) begin
            s1_valid <= in_valid;
            s2_valid <= s1_valid;
            s3_valid <= s2_valid;
        end
        if (advance) begin
            s1_tag   <= in_tag;
            s1_price <= in_price;
            s1_qty   <= in_qty;
            s2_tag   <= s1_tag;
            s3_tag   <= s2_tag;
        end
    end

    wire collar_bad, size_bad, notional_bad, luld_bad, restricted_bad;

    collar_check u_collar (
        .clk(clk), .en(advance), .price(s1_price), .ref_price(ref_price),
        .collar_bps(collar_bps), .violation(collar_bad)
    );
    size_check u_size (
        .clk(clk), .en(advance), .qty(s1_qty), .max_qty(max_qty),
        .violation(size_bad)
    );
    notional_check u_notional (
        .clk(clk), .en(advance), .price(s1_price), .qty(s1_qty),
        .max_notional(max_notional), .violation(notional_bad)
    );
    luld_band_check u_luld (
        .clk(clk), .en(advance), .price(s1_price), .lower(luld_lower),
        .upper(luld_upper), .violation(luld_bad)
    );
    restricted_check u_restricted (
        .clk(clk), .en(advance), .restricted(restricted),
        .violation(restricted_bad)
    );

    assign out_valid   = s3_valid;
    assign out_tag     = s3_tag;
    assign out_reasons = {restricted_bad, luld_bad, notional_bad, size_bad, collar_bad};
    assign out_accept  = (out_reasons == {`BW_REASON_BITS{1'b0}});
endmodule

`default_nettype wire
