// Self-checking testbench for luld_band_check (golden vectors from the Rust
// model, including prices exactly on and one tick outside each band).
//   iverilog -g2012 -o sim hdl/tb/luld_band_check_tb.v hdl/rtl/*.v && vvp sim
`timescale 1ns / 1ps
`include "hdl/rtl/bw_defines.vh"

module luld_band_check_tb;
    localparam N = 1000;
    // {price[31:0], lower[31:0], upper[31:0], 3'b0, expected}
    reg [99:0] vectors [0:N-1];
    reg clk = 1'b0;
    always #1 clk = ~clk;

    reg  [31:0] price = 0, lower = 0, upper = 0;
    wire        violation;
    luld_band_check dut (.clk(clk), .en(1'b1), .price(price), .lower(lower),
                         .upper(upper), .violation(violation));

    integer i, errors = 0;
    initial begin
        $readmemh("hdl/tb/vectors/luld_band_check.hex", vectors);
        for (i = 0; i <= N; i = i + 1) begin
            @(negedge clk);
            if (i < N) {price, lower, upper} = vectors[i][99:4];
            @(posedge clk);
            #0.5;
            if (i >= 1 && violation !== vectors[i-1][0]) begin
                errors = errors + 1;
                if (errors <= 5)
                    $display("luld_band_check vector %0d: got %b, expected %b (%h)",
                             i - 1, violation, vectors[i-1][0], vectors[i-1]);
            end
        end
        if (errors == 0) $display("PASS luld_band_check_tb: %0d vectors", N);
        else $display("FAIL luld_band_check_tb: %0d of %0d vectors wrong", errors, N);
        $finish;
    end
endmodule
