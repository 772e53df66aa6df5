/* extern "C" wrapper around the Verilated risk_check: new/free/reset,
 * register writes, and a batched run of many clock cycles per call (one
 * FFI crossing costs ~18 ns, so single-cycle calls would dominate). */
#ifndef BREAKWATER_RISK_CHECK_SHIM_H
#define BREAKWATER_RISK_CHECK_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_risk_check bw_risk_check;

/* One order offered to the pipeline. */
typedef struct {
	uint32_t tag;
	uint16_t sym;
	uint16_t reserved;
	uint32_t price;
	uint32_t qty;
} bw_rc_order;

/* One verdict taken from the pipeline, with the cycle it was taken in. */
typedef struct {
	uint32_t tag;
	uint8_t accept;
	uint8_t reasons;
	uint16_t reserved;
	uint64_t out_cycle;
} bw_rc_verdict;

/* Per-cycle control bits for bw_rc_run. */
#define BW_RC_OFFER 1u     /* drive in_valid with the next order, if any */
#define BW_RC_OUT_READY 2u /* drive out_ready */

typedef struct {
	size_t orders_taken; /* orders the pipeline accepted (in_valid && in_ready) */
	size_t verdicts;     /* verdicts taken (out_valid && out_ready) */
	size_t cycles;       /* cycles run */
} bw_rc_run_result;

bw_risk_check *bw_rc_new(void);
void bw_rc_free(bw_risk_check *rc);
/* Holds rst for two cycles; clears the pipeline (not the limits table). */
void bw_rc_reset(bw_risk_check *rc);
/* One cycle with cfg_we; no order offered and out_ready low, so no verdict
 * can be taken (or lost) during the write. */
void bw_rc_write_reg(bw_risk_check *rc, uint32_t addr, uint32_t data);
/* Cycles since creation. */
uint64_t bw_rc_cycle(const bw_risk_check *rc);
/* Runs n_cycles clock cycles. In cycle i, control[i] says whether to offer
 * orders[orders_taken] and whether the consumer is ready. Accepted orders'
 * cycles go to accept_cycles[k] (if not NULL); taken verdicts to verdicts[]
 * (the run stops early when verdict_cap is reached). */
bw_rc_run_result bw_rc_run(bw_risk_check *rc, const bw_rc_order *orders, size_t n_orders,
			   const uint8_t *control, size_t n_cycles, uint64_t *accept_cycles,
			   bw_rc_verdict *verdicts, size_t verdict_cap);

#ifdef __cplusplus
}
#endif

#endif
