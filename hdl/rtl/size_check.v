// Maximum order size: violation when qty is zero or above max_qty.
// Two pipeline stages (to line up with the other checks), advancing on `en`.
`include "hdl/rtl/bw_defines.vh"
`default_nettype none

module size_check (
    input  wire                    clk,
    input  wire                    en,
    input  wire [`BW_QTY_BITS-1:0] qty,
    input  wire [`BW_QTY_BITS-1:0] max_qty,
    output reg                     violation
);
    reg too_big_or_zero;

    always @(posedge clk) begin
        if (en) begin
            too_big_or_zero <= (qty == 0) || (qty > max_qty);
            violation       <= too_big_or_zero;
        end
    end
endmodule

`default_nettype wire
