/**
 * Every byte a device may touch, and the one check that it may.
 *
 * <h2>Memory</h2>
 * {@link dev.qpair.memory.DmaMemory} is the only thing a region can be registered over:
 * {@link dev.qpair.memory.AlignedBuffer} (system memory aligned to a cache line, a page or 2 MiB),
 * {@link dev.qpair.memory.SharedMemoryFile} (a file mapped shared between processes) and
 * {@link dev.qpair.memory.DeviceMemory} (a BAR window: doorbell pages, an NVMe CMB). Each knows the
 * {@link dev.qpair.memory.DeviceId} it is local to and refuses to close while a region uses it.
 *
 * <h2>Protection</h2>
 * A {@link dev.qpair.memory.KeyTable} is one device's table of memory regions. Its
 * {@link dev.qpair.memory.ProtectionDomain}s register {@link dev.qpair.memory.MemoryRegion}s in three
 * forms ({@link dev.qpair.memory.MrType}): direct ({@code reg_mr}), page list (fast registration)
 * and indirect (byte-aligned SGEs under one key). Keys are {@code index << 8 | variant}; the
 * variant moves on with every re-registration, so old keys go stale. There is no global rkey.
 *
 * <h2>The lookup</h2>
 * {@link dev.qpair.memory.KeyTable#lookup} checks key, variant, PD, state, access flags and bounds
 * for every access and answers an {@link dev.qpair.memory.AccessStatus}; on success the caller's
 * {@link dev.qpair.memory.Translation} walks the pieces (base segment, offset, length) to copy with
 * {@code MemorySegment.copy}. It is lock-free and allocates nothing.
 *
 * <h2>Ordering</h2>
 * <table class="striped">
 * <caption>Shared state, its access modes and their Linux counterparts</caption>
 * <thead><tr><th>where</th><th>Linux</th><th>Java 25</th><th>orders</th></tr></thead>
 * <tbody>
 * <tr><td>publishing a registration in the key table</td><td>{@code rcu_assign_pointer()}</td>
 *     <td>{@code setRelease} of the slot</td><td>the immutable mapping's fields before the pointer to it</td></tr>
 * <tr><td>the lookup's load of the slot</td><td>{@code rcu_dereference()}</td>
 *     <td>{@code getAcquire} of the slot</td><td>the pointer before the loads of the mapping's fields</td></tr>
 * <tr><td>an indirect element's region still current</td><td>{@code rcu_dereference()}</td>
 *     <td>{@code getAcquire} of the element's slot</td><td>the check before the copy that relies on it</td></tr>
 * <tr><td>the shared-memory file's header magic</td><td>{@code smp_store_release()} / {@code smp_load_acquire()}</td>
 *     <td>{@code setRelease} / {@code getAcquire}</td><td>version and size before the magic that vouches for them</td></tr>
 * <tr><td>the shared-memory file's data size on growth</td><td>{@code smp_store_release()} / {@code smp_load_acquire()}</td>
 *     <td>{@code setRelease} / {@code getAcquire}</td><td>the file's new extent before the size that admits it</td></tr>
 * </tbody>
 * </table>
 * Control-path changes (register, re-register, invalidate, deregister, pools) are serialized by the
 * key table's monitor and by the pool's lock; only the lookup runs without one.
 */
package dev.qpair.memory;
