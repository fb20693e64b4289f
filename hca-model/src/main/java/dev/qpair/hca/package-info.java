/**
 * RDMA verbs over off-heap rings: a {@link dev.qpair.hca.Device} (opened with a
 * {@link dev.qpair.hca.Provider} and a {@link dev.qpair.hca.DeviceMode}), PDs and MRs from
 * ffm-memory's key table, {@link dev.qpair.hca.CompletionQueue}s and reliable-connected
 * {@link dev.qpair.hca.QueuePair}s, and the device engine that executes their work.
 *
 * <h2>The datapath, hop by hop (DESIGN.md)</h2>
 * <ol>
 * <li><b>Post</b>: {@code wrStart}, an operation and its payload write a WQE in place on the send
 *     ring with plain stores; {@code wrComplete} publishes the producer index in the doorbell
 *     record with release ({@code dma_wmb}).</li>
 * <li><b>Ring</b>: with the dedicated engine thread it writes one slot of the device's doorbell
 *     queue (QPN, producer index, a BlueFlame copy of a single WQE of up to 116 bytes) and
 *     releases the slot's {@code seq} last ({@code writel}); inline, it writes the QP's doorbell
 *     register with {@code writeq} and runs a pass in the posting thread.</li>
 * <li><b>Device</b>: a pass reads the slot's {@code seq} (or, inline, the doorbell record) with
 *     acquire, validates every WQE field,
 *     moves bytes only through {@code KeyTable.lookup} grants, and writes a CQE for each signaled or
 *     failed WR, owner bit last with release.</li>
 * <li><b>Complete</b>: {@code startPoll}/{@code nextPoll} read the owner bit and then the CQE in
 *     place ({@code dma_rmb}); {@code endPoll} publishes the consumer index with release. A polled
 *     send completion frees the send slots of its WR and of every unsignaled WR before it.</li>
 * </ol>
 *
 * <h2>Serialization</h2>
 * A QP's send side runs as one task at a time (IDLE -> BUSY -> ARMED, as rxe; the engine thread,
 * the only runner while it runs, sets the states without a CAS); its responder side
 * is entered under its responder lock; a CQ's producer under the CQ's lock. The order is task,
 * responder, CQ; none is held while another QP's task is waited for.
 *
 * <h2>Errors</h2>
 * Host input never throws on the engine: a malformed WQE completes with {@code LOC_QP_OP_ERR}, a
 * refused local SGE with {@code LOC_PROT_ERR} or {@code LOC_LEN_ERR}, a refused rkey with
 * {@code REM_ACCESS_ERR}, a misaligned atomic with {@code REM_INV_REQ_ERR}, a receive too small
 * with {@code REM_INV_REQ_ERR} (and {@code LOC_LEN_ERR} at the responder), exhausted RNR retries
 * with {@code RNR_RETRY_EXC_ERR}, a PSN mismatch or an unreachable responder with
 * {@code RETRY_EXC_ERR}. The failing QP (and a responder that refused) moves to ERR and every
 * other WR, posted before or after, completes once with {@code WR_FLUSH_ERR}.
 */
package dev.qpair.hca;
