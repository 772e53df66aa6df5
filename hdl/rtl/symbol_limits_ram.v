// Per-symbol limits, written through a register port and read synchronously
// (one cycle, block-RAM style) by the pipeline. A write and a read of the
// same symbol on the same edge return the old value.
//
// Register map (address = {symbol[9:0], field[2:0]}, 32-bit data):
//   0 reference price (Price(4))   4 max notional, high 32 bits
//   1 collar, basis points [15:0]  5 LULD lower band (Price(4))
//   2 max order quantity           6 LULD upper band (0: no band)
//   3 max notional, low 32 bits    7 flags: bit 0 restricted
`include "hdl/rtl/bw_defines.vh"
`default_nettype none

module symbol_limits_ram (
    input  wire                         clk,
    // register port
    input  wire                         cfg_we,
    input  wire [`BW_ADDR_BITS-1:0]     cfg_addr,
    input  wire [31:0]                  cfg_data,
    // pipeline read port
    input  wire                         rd_en,
    input  wire [`BW_SYM_BITS-1:0]      rd_sym,
    output reg  [`BW_PRICE_BITS-1:0]    ref_price,
    output reg  [`BW_BPS_BITS-1:0]      collar_bps,
    output reg  [`BW_QTY_BITS-1:0]      max_qty,
    output reg  [`BW_NOTIONAL_BITS-1:0] max_notional,
    output reg  [`BW_PRICE_BITS-1:0]    luld_lower,
    output reg  [`BW_PRICE_BITS-1:0]    luld_upper,
    output reg                          restricted
);
    localparam SYMBOLS = 1 << `BW_SYM_BITS;

    reg [31:0] ref_mem        [0:SYMBOLS-1];
    reg [15:0] bps_mem        [0:SYMBOLS-1];
    reg [31:0] qty_mem        [0:SYMBOLS-1];
    reg [31:0] notional_lo_mem[0:SYMBOLS-1];
    reg [31:0] notional_hi_mem[0:SYMBOLS-1];
    reg [31:0] lower_mem      [0:SYMBOLS-1];
    reg [31:0] upper_mem      [0:SYMBOLS-1];
    reg        flag_mem       [0:SYMBOLS-1];

    wire [`BW_SYM_BITS-1:0]   wr_sym   = cfg_addr[`BW_ADDR_BITS-1:`BW_FIELD_BITS];
    wire [`BW_FIELD_BITS-1:0] wr_field = cfg_addr[`BW_FIELD_BITS-1:0];

    always @(posedge clk) begin
        if (cfg_we) begin
            case (wr_field)
                `BW_FIELD_REF_PRICE:   ref_mem[wr_sym]         <= cfg_data;
                `BW_FIELD_COLLAR_BPS:  bps_mem[wr_sym]         <= cfg_data[15:0];
                `BW_FIELD_MAX_QTY:     qty_mem[wr_sym]         <= cfg_data;
                `BW_FIELD_NOTIONAL_LO: notional_lo_mem[wr_sym] <= cfg_data;
                `BW_FIELD_NOTIONAL_HI: notional_hi_mem[wr_sym] <= cfg_data;
                `BW_FIELD_LULD_LOWER:  lower_mem[wr_sym]       <= cfg_data;
                `BW_FIELD_LULD_UPPER:  upper_mem[wr_sym]       <= cfg_data;
                default:               flag_mem[wr_sym]        <= cfg_data[0];
            endcase
        end
        if (rd_en) begin
            ref_price    <= ref_mem[rd_sym];
            collar_bps   <= bps_mem[rd_sym];
            max_qty      <= qty_mem[rd_sym];
            max_notional <= {notional_hi_mem[rd_sym], notional_lo_mem[rd_sym]};
            luld_lower   <= lower_mem[rd_sym];
            luld_upper   <= upper_mem[rd_sym];
            restricted   <= flag_mem[rd_sym];
        end
    end
endmodule

`default_nettype wire
