// Price collar: violation when |price - ref| * 10000 > ref * collar_bps,
// or when ref or price is zero. Two pipeline stages, advancing on `en`.
`include "hdl/rtl/bw_defines.vh"
`default_nettype none

module collar_check (
    input  wire                      clk,
    input  wire                      en,
    input  wire [`BW_PRICE_BITS-1:0] price,
    input  wire [`BW_PRICE_BITS-1:0] ref_price,
    input  wire [`BW_BPS_BITS-1:0]   collar_bps,
    output reg                       violation
);
    wire [`BW_PRICE_BITS-1:0] distance = (price >= ref_price) ? (price - ref_price)
                                                              : (ref_price - price);
    reg [47:0] distance_scaled;
    reg [47:0] allowed_scaled;
    reg        no_price;

    always @(posedge clk) begin
        if (en) begin
            distance_scaled <= {16'd0, distance} * 48'd10000;
            allowed_scaled  <= {16'd0, ref_price} * {32'd0, collar_bps};
            no_price        <= (ref_price == 0) || (price == 0);
            violation       <= no_price || (distance_scaled > allowed_scaled);
        end
    end
endmodule

`default_nettype wire
