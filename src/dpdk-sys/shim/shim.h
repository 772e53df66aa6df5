/* Real symbols for DPDK's static-inline fast-path functions and macros, which
 * bindgen cannot bind. Every function is a one-line forwarder; the C compiler
 * inlines the DPDK body here, so Rust pays one direct call per burst. */
#ifndef BREAKWATER_DPDK_SHIM_H
#define BREAKWATER_DPDK_SHIM_H

#include <rte_config.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

uint16_t bw_eth_rx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **rx_pkts, uint16_t nb_pkts);
uint16_t bw_eth_tx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **tx_pkts, uint16_t nb_pkts);
struct rte_mbuf *bw_pktmbuf_alloc(struct rte_mempool *mp);
void bw_pktmbuf_free(struct rte_mbuf *m);
void *bw_pktmbuf_data(const struct rte_mbuf *m);
uint16_t bw_pktmbuf_data_len(const struct rte_mbuf *m);
uint32_t bw_pktmbuf_pkt_len(const struct rte_mbuf *m);
uint16_t bw_pktmbuf_nb_segs(const struct rte_mbuf *m);
char *bw_pktmbuf_append(struct rte_mbuf *m, uint16_t len);
int bw_errno(void);
const char *bw_strerror(int errnum);
uint64_t bw_rdtsc(void);
unsigned bw_lcore_id(void);
uint16_t bw_mbuf_default_buf_size(void);

#endif
