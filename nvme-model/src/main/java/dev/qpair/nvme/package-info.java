/**
 * The SPDK-shaped host driver for NVMe controllers whose register page and queues live in
 * off-heap memory.
 *
 * <p>{@link dev.qpair.nvme.NvmeCtrlr#attach} brings a controller up through its registers
 * ({@link dev.qpair.nvme.NvmeRegs}); {@link dev.qpair.nvme.NvmeCtrlr#allocIoQpair} creates an
 * I/O queue pair; {@link dev.qpair.nvme.NvmeQpair} submits Read, Write, Flush, Write Zeroes and
 * Dataset Management with a callback and an argument, rings one SQ tail doorbell per burst and
 * polls with {@code processCompletions(max)}. Every buffer a controller may touch is mapped in a
 * {@link dev.qpair.nvme.DmaMap} first. Status fields are named in {@link dev.qpair.nvme.NvmeStatus}.
 *
 * <p>Ordering, as in Linux's nvme driver: SQEs are plain stores published by the {@code writel}
 * of the SQ tail doorbell; a CQE is consumed after a {@code READ_ONCE} of its phase word and a
 * {@code dma_rmb}; the CQ head doorbell is a {@code writel} after the CQE loads. With shadow
 * doorbells the tail or head is stored to the Shadow Doorbell buffer with release, then
 * {@code mb()}, then EventIdx is read (Linux's {@code nvme_dbbuf_update_and_check_event}).
 */
package dev.qpair.nvme;
