/**
 * Descriptor layouts and ring protocols shared by the host and the device models: the memory an
 * RDMA or NVMe driver and its device agree on, and nothing of the device's behaviour.
 *
 * <h2>What is here</h2>
 * <ul>
 * <li>{@link dev.qpair.rings.SendWqe}: send WQEs in 64-byte basic blocks (control, remote-address,
 *     atomic, data and inline segments), with the slot counts a post needs (seed 000);
 *     {@link dev.qpair.rings.RecvWqe}: receive WQEs; {@link dev.qpair.rings.Cqe}: 64- or 128-byte
 *     CQEs with an owner bit and 32 or 96 bytes of inline-scattered payload. Each is a {@code MemoryLayout}
 *     with {@code static final} VarHandles and a flyweight that works in place on a ring slot.</li>
 * <li>{@link dev.qpair.rings.DoorbellRecord}: a QP's producer indices, each on its own 128-byte
 *     line; {@link dev.qpair.rings.DoorbellPage}: UAR-like doorbell pages with BlueFlame regions.</li>
 * <li>{@link dev.qpair.rings.RingMath}: power-of-two rings, free-running 32-bit indices, the owner
 *     bit; {@link dev.qpair.rings.CqRing}, {@link dev.qpair.rings.CqProducer},
 *     {@link dev.qpair.rings.CqConsumer}: the completion-queue hand-off.</li>
 * <li>{@link dev.qpair.rings.WrOpcode}, {@link dev.qpair.rings.WcOpcode},
 *     {@link dev.qpair.rings.WcStatus}: field values, numbered as rdma-core's verbs enums.</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * <ul>
 * <li><b>Indices</b> are free-running 32-bit counters, masked only to address a slot; occupancy is
 *     {@code producer - consumer} in two's complement, correct across the 2<sup>32</sup> wrap.</li>
 * <li><b>Owner bit</b>: the entry of index {@code i} in a ring of 2<sup>k</sup> carries
 *     {@code ((i >>> k) & 1) ^ 1}: 1 on the first lap, flipping every wrap, so a zeroed ring holds
 *     no valid entry (NVMe's phase tag).</li>
 * <li><b>Ordering in names</b>: a method that hands memory to the other side ends in
 *     {@code Release} ({@code smp_store_release}, {@code dma_wmb} before the store); one that takes
 *     memory over ends in {@code Acquire} ({@code smp_load_acquire}, or {@code READ_ONCE} then
 *     {@code dma_rmb}); {@code Once} is {@code READ_ONCE}/{@code WRITE_ONCE}. Doorbell-page methods
 *     use {@code writeq}/{@code readq} as documented on them. Every other accessor is a plain
 *     load or store: flyweight fields are written before, and read after, the hand-off.</li>
 * <li><b>Validation</b>: capacities, register indices and segment indices passed by a caller are
 *     checked, and the exception names the argument, its value and the limit. Field values read
 *     from a ring are never checked here: the device validates descriptors and a reader never
 *     throws on garbage, every offset it derives being reduced into its ring.</li>
 * <li><b>Allocation</b>: flyweights and ring sides are created once; their per-entry methods
 *     allocate nothing.</li>
 * </ul>
 */
package dev.qpair.rings;
