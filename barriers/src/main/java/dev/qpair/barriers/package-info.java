/**
 * The Linux kernel's ordering primitives for memory shared between host code and a device model,
 * expressed with {@link java.lang.invoke.VarHandle} access modes and fences.
 *
 * <p>Every hand-off in Qpair (a WQE and its doorbell, a CQE and its owner bit, an NVMe CQE and its
 * phase tag) uses exactly one of these, named after the kernel primitive an RDMA or NVMe driver
 * would use at the same spot. {@link dev.qpair.barriers.Barriers} holds the CPU fences and the
 * one-way publication accessors; {@link dev.qpair.barriers.Mmio} holds the register accessors for
 * doorbell (BAR, UAR) pages; {@link dev.qpair.barriers.DoorbellLock} is the lock that gives
 * {@code mmiowb()} its meaning.
 *
 * <h2>Ordering map</h2>
 * <table class="striped">
 * <caption>Linux primitive, what it orders, and what Qpair uses for it</caption>
 * <thead>
 * <tr><th>Linux</th><th>Qpair</th><th>Orders</th><th>Java 25</th>
 *     <th>x86-64 (TSO)</th><th>AArch64</th></tr>
 * </thead>
 * <tbody>
 * <tr><td>{@code mb()}</td><td>{@code Barriers.mb()}</td>
 *     <td>all earlier loads and stores before all later loads and stores</td>
 *     <td>{@code VarHandle.fullFence()}</td><td>{@code lock addl $0,(%rsp)}</td><td>{@code dmb ish}</td></tr>
 * <tr><td>{@code rmb()}</td><td>{@code Barriers.rmb()}</td>
 *     <td>earlier loads before later loads</td>
 *     <td>{@code VarHandle.loadLoadFence()}</td><td>compiler barrier only</td><td>{@code dmb ishld}</td></tr>
 * <tr><td>{@code wmb()}</td><td>{@code Barriers.wmb()}</td>
 *     <td>earlier stores (memory and MMIO) before later stores</td>
 *     <td>{@code VarHandle.storeStoreFence()}</td><td>compiler barrier only</td><td>{@code dmb ishst}</td></tr>
 * <tr><td>{@code dma_rmb()}</td><td>{@code Barriers.dmaRmb()}, or
 *     {@code Barriers.smpLoadAcquireInt} on the owner word</td>
 *     <td>the owner-bit (phase, valid) load before the descriptor body loads</td>
 *     <td>{@code VarHandle.loadLoadFence()}, or {@code getAcquire}</td>
 *     <td>compiler barrier; plain {@code mov}</td><td>{@code dmb ishld}; {@code ldar}</td></tr>
 * <tr><td>{@code dma_wmb()}</td><td>{@code Barriers.dmaWmb()}, or
 *     {@code Barriers.smpStoreReleaseInt} on the index or owner word</td>
 *     <td>descriptor stores before the store that hands the descriptor over</td>
 *     <td>{@code VarHandle.storeStoreFence()}, or {@code setRelease}</td>
 *     <td>compiler barrier; plain {@code mov}</td><td>{@code dmb ishst}; {@code stlr}</td></tr>
 * <tr><td>{@code smp_store_release()}</td><td>{@code Barriers.smpStoreRelease*}</td>
 *     <td>every earlier load and store before this store</td>
 *     <td>{@code setRelease}</td><td>plain {@code mov}</td><td>{@code stlr}</td></tr>
 * <tr><td>{@code smp_load_acquire()}</td><td>{@code Barriers.smpLoadAcquire*}</td>
 *     <td>this load before every later load and store</td>
 *     <td>{@code getAcquire}</td><td>plain {@code mov}</td><td>{@code ldar}</td></tr>
 * <tr><td>{@code WRITE_ONCE()} / {@code READ_ONCE()}</td><td>{@code Barriers.writeOnce*} /
 *     {@code Barriers.readOnce*}</td>
 *     <td>nothing but the access itself: not torn, not elided, coherent per address</td>
 *     <td>{@code setOpaque} / {@code getOpaque}</td><td>plain {@code mov}</td><td>{@code str} / {@code ldr}</td></tr>
 * <tr><td>{@code writel()}, {@code writeq()}</td><td>{@code Mmio.writel}, {@code Mmio.writeq}</td>
 *     <td>every earlier store (rings, data buffers) before the doorbell store</td>
 *     <td>{@code setRelease} on the doorbell page</td><td>plain {@code mov}</td><td>{@code stlr}</td></tr>
 * <tr><td>{@code writel_relaxed()}, {@code writeq_relaxed()}</td>
 *     <td>{@code Mmio.writelRelaxed}, {@code Mmio.writeqRelaxed}</td>
 *     <td>nothing with earlier memory stores; pair it with {@code wmb()} before it</td>
 *     <td>{@code setOpaque}</td><td>plain {@code mov}</td><td>{@code str}</td></tr>
 * <tr><td>{@code readl()}, {@code readq()}</td><td>{@code Mmio.readl}, {@code Mmio.readq}</td>
 *     <td>the register load before every later load</td>
 *     <td>{@code getAcquire}</td><td>plain {@code mov}</td><td>{@code ldar}</td></tr>
 * <tr><td>{@code readl_relaxed()}, {@code readq_relaxed()}</td>
 *     <td>{@code Mmio.readlRelaxed}, {@code Mmio.readqRelaxed}</td>
 *     <td>nothing with later loads; pair it with {@code rmb()} after it</td>
 *     <td>{@code getOpaque}</td><td>plain {@code mov}</td><td>{@code ldr}</td></tr>
 * <tr><td>{@code mmiowb()}</td><td>{@code Barriers.mmiowb()}, inside {@code DoorbellLock.unlock()}</td>
 *     <td>doorbells written inside a lock reach the device before the next holder's doorbells
 *     (folded into {@code spin_unlock()} since Linux 5.2)</td>
 *     <td>{@code VarHandle.releaseFence()} before the releasing store of the unlock</td>
 *     <td>compiler barrier only</td><td>{@code dmb ish}</td></tr>
 * </tbody>
 * </table>
 *
 * <p>On x86-64 the hardware already keeps store-store and load-load order (TSO), so most rows cost
 * nothing there but forbid the JIT from reordering; what the CPU may still do, a store followed by
 * a load of another address passing it, only {@code mb()} forbids. On AArch64 the same code emits
 * the barriers in the last column. The kernel's {@code dma_*} barriers use the outer-shareable
 * domain ({@code dmb osh*}) because a real device sits outside the inner-shareable domain; the
 * device models here are threads, so the inner-shareable forms the JVM emits are the right ones.
 *
 * <p>Java's memory model is stated per access, not per fence: a release store only orders
 * anything for a reader that loads the same word with acquire semantics (or with an opaque load
 * followed by {@code dma_rmb()}). Every consumer side in Qpair therefore pairs its producer's
 * primitive, exactly as a device's DMA engine pairs the driver's {@code dma_wmb()}.
 *
 * <p>The jcstress tests in the {@code stress} module prove each protocol: with the primitive the
 * forbidden outcome never appears, and the relaxed variant records what the model permits.
 */
package dev.qpair.barriers;
