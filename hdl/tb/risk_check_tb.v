// Self-checking testbench for the risk_check top: configures 64 symbols
// through the register port, streams 2,000 golden orders (from the Rust
// model) with pseudo-random idle cycles and backpressure, and checks every
// verdict's tag, reasons and accept bit in order; then measures the latency
// (must be `BW_LATENCY cycles) and the throughput (one order per cycle
// without backpressure). Prints PASS or FAIL.
//   iverilog -g2012 -o sim hdl/tb/risk_check_tb.v hdl/rtl/*.v && vvp sim
`timescale 1ns / 1ps
`include "hdl/rtl/bw_defines.vh"

module risk_check_tb;
    localparam NW = 64 * 8;   // register writes
    localparam NO = 2000;     // orders
    localparam BURST = 64;    // back-to-back orders for the throughput check

    reg [47:0]  regs   [0:NW-1];  // {addr[15:0], data[31:0]}
    reg [119:0] orders [0:NO-1];  // {tag[31:0], sym[15:0], price[31:0], qty[31:0], reasons[7:0]}

    reg clk = 1'b0;
    always #1 clk = ~clk;

    reg         rst = 1'b1;
    reg         in_valid = 1'b0;
    wire        in_ready;
    reg  [9:0]  in_sym = 0;
    reg  [31:0] in_price = 0, in_qty = 0, in_tag = 0;
    wire        out_valid;
    reg         out_ready = 1'b0;
    wire        out_accept;
    wire [4:0]  out_reasons;
    wire [31:0] out_tag;
    reg         cfg_we = 1'b0;
    reg  [12:0] cfg_addr = 0;
    reg  [31:0] cfg_data = 0;

    risk_check dut (
        .clk(clk), .rst(rst),
        .in_valid(in_valid), .in_ready(in_ready), .in_sym(in_sym),
        .in_price(in_price), .in_qty(in_qty), .in_tag(in_tag),
        .out_valid(out_valid), .out_ready(out_ready), .out_accept(out_accept),
        .out_reasons(out_reasons), .out_tag(out_tag),
        .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_data(cfg_data)
    );

    integer errors = 0, sent = 0, received = 0, i, cycle = 0, limit;
    integer accept_cycle, verdict_cycle, first_out, last_out, outs;
    reg [15:0] lfsr = 16'hace1;

    always @(posedge clk) cycle <= cycle + 1;

    task load_order(input integer k);
        begin
            in_tag   = orders[k][119:88];
            in_sym   = orders[k][81:72];
            in_price = orders[k][71:40];
            in_qty   = orders[k][39:8];
        end
    endtask

    initial begin
        $readmemh("hdl/tb/vectors/risk_check_registers.hex", regs);
        $readmemh("hdl/tb/vectors/risk_check_orders.hex", orders);
        repeat (3) @(posedge clk);
        @(negedge clk) rst = 1'b0;

        // Limits through the register port.
        for (i = 0; i < NW; i = i + 1) begin
            @(negedge clk);
            cfg_we = 1'b1;
            cfg_addr = regs[i][44:32];
            cfg_data = regs[i][31:0];
        end
        @(negedge clk) cfg_we = 1'b0;

        // Stream every order with random idle cycles and backpressure.
        limit = 20 * NO;
        while (received < NO && limit > 0) begin
            @(negedge clk);
            limit = limit - 1;
            lfsr = {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
            if (!in_valid && sent < NO && lfsr[1:0] != 2'b00) begin
                load_order(sent);
                in_valid = 1'b1;
            end
            out_ready = (lfsr[3:2] != 2'b00);
            @(posedge clk);
            // Handshakes are sampled at this edge.
            if (out_valid && out_ready) begin
                if (out_tag !== orders[received][119:88]
                    || out_reasons !== orders[received][4:0]
                    || out_accept !== (orders[received][4:0] == 5'd0)) begin
                    errors = errors + 1;
                    if (errors <= 5)
                        $display("order %0d: got tag %h reasons %b accept %b, expected %h",
                                 received, out_tag, out_reasons, out_accept, orders[received]);
                end
                received = received + 1;
            end
            if (in_valid && in_ready) begin
                sent = sent + 1;
                #0.1 in_valid = 1'b0;
            end
        end
        if (received != NO) begin
            errors = errors + 1;
            $display("only %0d of %0d verdicts arrived", received, NO);
        end

        // Latency: one order into an empty pipeline, consumer always ready.
        @(negedge clk);
        out_ready = 1'b1;
        load_order(0);
        in_valid = 1'b1;
        @(posedge clk);
        accept_cycle = cycle;
        #0.1 in_valid = 1'b0;
        while (!out_valid) @(posedge clk);
        verdict_cycle = cycle;
        if (verdict_cycle - accept_cycle != `BW_LATENCY) begin
            errors = errors + 1;
            $display("latency %0d cycles, documented %0d", verdict_cycle - accept_cycle, `BW_LATENCY);
        end
        @(posedge clk);

        // Throughput: BURST orders back to back; a verdict every cycle.
        outs = 0; first_out = -1; last_out = -1;
        for (i = 0; i < BURST + `BW_LATENCY + 1; i = i + 1) begin
            @(negedge clk);
            if (i < BURST) begin
                load_order(i);
                in_valid = 1'b1;
            end else begin
                in_valid = 1'b0;
            end
            @(posedge clk);
            if (i < BURST && !in_ready) begin
                errors = errors + 1;
                $display("throughput: input not ready at burst cycle %0d", i);
            end
            if (out_valid) begin
                outs = outs + 1;
                if (first_out < 0) first_out = cycle;
                last_out = cycle;
            end
        end
        if (outs < BURST || last_out - first_out + 1 != outs) begin
            errors = errors + 1;
            $display("throughput: %0d verdicts over %0d cycles", outs, last_out - first_out + 1);
        end

        if (errors == 0)
            $display("PASS risk_check_tb: %0d orders bit-exact with the Rust model; latency %0d cycles; %0d orders in %0d cycles",
                     NO, verdict_cycle - accept_cycle, BURST, last_out - first_out + 1);
        else
            $display("FAIL risk_check_tb: %0d errors", errors);
        $finish;
    end
endmodule
