#include "risk_check_shim.h"

#include "Vrisk_check.h"
#include "verilated.h"

struct bw_risk_check {
	VerilatedContext context;
	Vrisk_check *top;
	uint64_t cycle;
};

/* Settle with clk low, then a rising edge. */
static void clock_edge(bw_risk_check *rc)
{
	rc->top->clk = 1;
	rc->top->eval();
	rc->top->clk = 0;
	rc->cycle++;
}

extern "C" bw_risk_check *bw_rc_new(void)
{
	bw_risk_check *rc = new bw_risk_check();
	rc->top = new Vrisk_check(&rc->context, "risk_check");
	rc->cycle = 0;
	rc->top->clk = 0;
	rc->top->rst = 0;
	rc->top->in_valid = 0;
	rc->top->out_ready = 0;
	rc->top->cfg_we = 0;
	rc->top->eval();
	bw_rc_reset(rc);
	return rc;
}

extern "C" void bw_rc_free(bw_risk_check *rc)
{
	if (!rc)
		return;
	rc->top->final();
	delete rc->top;
	delete rc;
}

extern "C" void bw_rc_reset(bw_risk_check *rc)
{
	rc->top->rst = 1;
	rc->top->in_valid = 0;
	rc->top->out_ready = 0;
	rc->top->cfg_we = 0;
	for (int i = 0; i < 2; i++) {
		rc->top->eval();
		clock_edge(rc);
	}
	rc->top->rst = 0;
	rc->top->eval();
}

extern "C" void bw_rc_write_reg(bw_risk_check *rc, uint32_t addr, uint32_t data)
{
	rc->top->in_valid = 0;
	rc->top->out_ready = 0;
	rc->top->cfg_we = 1;
	rc->top->cfg_addr = addr;
	rc->top->cfg_data = data;
	rc->top->eval();
	clock_edge(rc);
	rc->top->cfg_we = 0;
	rc->top->eval();
}

extern "C" uint64_t bw_rc_cycle(const bw_risk_check *rc)
{
	return rc->cycle;
}

extern "C" bw_rc_run_result bw_rc_run(bw_risk_check *rc, const bw_rc_order *orders, size_t n_orders,
				      const uint8_t *control, size_t n_cycles, uint64_t *accept_cycles,
				      bw_rc_verdict *verdicts, size_t verdict_cap)
{
	bw_rc_run_result r = {0, 0, 0};
	Vrisk_check *top = rc->top;
	for (size_t i = 0; i < n_cycles && r.verdicts < verdict_cap; i++) {
		const bool offer = (control[i] & BW_RC_OFFER) && r.orders_taken < n_orders;
		top->in_valid = offer;
		if (offer) {
			const bw_rc_order *o = &orders[r.orders_taken];
			top->in_sym = o->sym;
			top->in_price = o->price;
			top->in_qty = o->qty;
			top->in_tag = o->tag;
		}
		top->out_ready = (control[i] & BW_RC_OUT_READY) ? 1 : 0;
		top->eval();
		/* Sample both handshakes before the edge. */
		if (top->out_valid && top->out_ready) {
			bw_rc_verdict *v = &verdicts[r.verdicts++];
			v->tag = top->out_tag;
			v->accept = top->out_accept;
			v->reasons = top->out_reasons;
			v->reserved = 0;
			v->out_cycle = rc->cycle;
		}
		if (offer && top->in_ready) {
			if (accept_cycles)
				accept_cycles[r.orders_taken] = rc->cycle;
			r.orders_taken++;
		}
		clock_edge(rc);
		r.cycles++;
	}
	top->in_valid = 0;
	top->out_ready = 0;
	top->eval();
	return r;
}
