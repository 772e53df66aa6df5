// Maximum notional: violation when price * qty > max_notional. The full
// 64-bit product of two 32-bit values cannot overflow. Two pipeline stages
// (multiply, compare), advancing on `en`.
`include "hdl/rtl/bw_defines.vh"
`default_nettype none

module notional_check (
    input  wire                         clk,
    input  wire                         en,
    input  wire [`BW_PRICE_BITS-1:0]    price,
    input  wire [`BW_QTY_BITS-1:0]      qty,
    input  wire [`BW_NOTIONAL_BITS-1:0] max_notional,
    output reg                          violation
);
    reg [`BW_NOTIONAL_BITS-1:0] notional;
    reg [`BW_NOTIONAL_BITS-1:0] limit;

    always @(posedge clk) begin
        if (en) begin
            notional  <= {32'd0, price} * {32'd0, qty};
            limit     <= max_notional;
            violation <= notional > limit;
        end
    end
endmodule

`default_nettype wire
