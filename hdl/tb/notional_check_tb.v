// Self-checking testbench for notional_check (golden vectors from the Rust
// model, including products at and one past the limit and u32::MAX inputs).
//   iverilog -g2012 -o sim hdl/tb/notional_check_tb.v hdl/rtl/*.v && vvp sim
`timescale 1ns / 1ps
`include "hdl/rtl/bw_defines.vh"

module notional_check_tb;
    localparam N = 1000;
    // {price[31:0], qty[31:0], max_notional[63:0], 3'b0, expected}
    reg [131:0] vectors [0:N-1];
    reg clk = 1'b0;
    always #1 clk = ~clk;

    reg  [31:0] price = 0, qty = 0;
    reg  [63:0] max_notional = 0;
    wire        violation;
    notional_check dut (.clk(clk), .en(1'b1), .price(price), .qty(qty),
                        .max_notional(max_notional), .violation(violation));

    integer i, errors = 0;
    initial begin
        $readmemh("hdl/tb/vectors/notional_check.hex", vectors);
        for (i = 0; i <= N; i = i + 1) begin
            @(negedge clk);
            if (i < N) {price, qty, max_notional} = vectors[i][131:4];
            @(posedge clk);
            #0.5;
            if (i >= 1 && violation !== vectors[i-1][0]) begin
                errors = errors + 1;
                if (errors <= 5)
                    $display("notional_check vector %0d: got %b, expected %b (%h)",
                             i - 1, violation, vectors[i-1][0], vectors[i-1]);
            end
        end
        if (errors == 0) $display("PASS notional_check_tb: %0d vectors", N);
        else $display("FAIL notional_check_tb: %0d of %0d vectors wrong", errors, N);
        $finish;
    end
endmodule
