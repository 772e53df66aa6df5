// Self-checking testbench for size_check (golden vectors from the Rust model).
//   iverilog -g2012 -o sim hdl/tb/size_check_tb.v hdl/rtl/*.v && vvp sim
`timescale 1ns / 1ps
`include "hdl/rtl/bw_defines.vh"

module size_check_tb;
    localparam N = 1000;
    // {qty[31:0], max_qty[31:0], 3'b0, expected}
    reg [67:0] vectors [0:N-1];
    reg clk = 1'b0;
    always #1 clk = ~clk;

    reg  [31:0] qty = 0, max_qty = 0;
    wire        violation;
    size_check dut (.clk(clk), .en(1'b1), .qty(qty), .max_qty(max_qty), .violation(violation));

    integer i, errors = 0;
    initial begin
        $readmemh("hdl/tb/vectors/size_check.hex", vectors);
        for (i = 0; i <= N; i = i + 1) begin
            @(negedge clk);
            if (i < N) {qty, max_qty} = vectors[i][67:4];
            @(posedge clk);
            #0.5;
            if (i >= 1 && violation !== vectors[i-1][0]) begin
                errors = errors + 1;
                if (errors <= 5)
                    $display("size_check vector %0d: got %b, expected %b (%h)",
                             i - 1, violation, vectors[i-1][0], vectors[i-1]);
            end
        end
        if (errors == 0) $display("PASS size_check_tb: %0d vectors", N);
        else $display("FAIL size_check_tb: %0d of %0d vectors wrong", errors, N);
        $finish;
    end
endmodule
