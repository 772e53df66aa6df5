// Self-checking testbench for collar_check: replays golden vectors produced
// by the Rust model (tests/hdl_golden_vectors.rs) and prints PASS or FAIL.
// Run from the repository root:
//   iverilog -g2012 -o sim hdl/tb/collar_check_tb.v hdl/rtl/*.v && vvp sim
`timescale 1ns / 1ps
`include "hdl/rtl/bw_defines.vh"

module collar_check_tb;
    localparam N = 1000;
    // {price[31:0], ref[31:0], bps[15:0], 3'b0, expected}
    reg [83:0] vectors [0:N-1];
    reg clk = 1'b0;
    always #1 clk = ~clk;

    reg  [31:0] price = 0, ref_price = 0;
    reg  [15:0] bps = 0;
    wire        violation;
    collar_check dut (.clk(clk), .en(1'b1), .price(price), .ref_price(ref_price),
                      .collar_bps(bps), .violation(violation));

    integer i, errors = 0;
    initial begin
        $readmemh("hdl/tb/vectors/collar_check.hex", vectors);
        for (i = 0; i <= N; i = i + 1) begin
            @(negedge clk);
            if (i < N) {price, ref_price, bps} = vectors[i][83:4];
            @(posedge clk);
            #0.5;
            // After edge i the output holds vector i-1's verdict.
            if (i >= 1 && violation !== vectors[i-1][0]) begin
                errors = errors + 1;
                if (errors <= 5)
                    $display("collar_check vector %0d: got %b, expected %b (%h)",
                             i - 1, violation, vectors[i-1][0], vectors[i-1]);
            end
        end
        if (errors == 0) $display("PASS collar_check_tb: %0d vectors", N);
        else $display("FAIL collar_check_tb: %0d of %0d vectors wrong", errors, N);
        $finish;
    end
endmodule
