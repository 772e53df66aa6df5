// LULD band: violation when a band is known (upper != 0) and the price is
// outside [lower, upper] inclusive. Two pipeline stages, advancing on `en`.
`include "hdl/rtl/bw_defines.vh"
`default_nettype none

module luld_band_check (
    input  wire                      clk,
    input  wire                      en,
    input  wire [`BW_PRICE_BITS-1:0] price,
    input  wire [`BW_PRICE_BITS-1:0] lower,
    input  wire [`BW_PRICE_BITS-1:0] upper,
    output reg                       violation
);
    reg outside;

    always @(posedge clk) begin
        if (en) begin
            outside   <= (upper != 0) && ((price < lower) || (price > upper));
            violation <= outside;
        end
    end
endmodule

`default_nettype wire
