// Restricted symbol: violation when the symbol's restricted flag is set.
// Two pipeline stages, advancing on `en`.
`include "hdl/rtl/bw_defines.vh"
`default_nettype none

module restricted_check (
    input  wire clk,
    input  wire en,
    input  wire restricted,
    output reg  violation
);
    reg flagged;

    always @(posedge clk) begin
        if (en) begin
            flagged   <= restricted;
            violation <= flagged;
        end
    end
endmodule

`default_nettype wire
