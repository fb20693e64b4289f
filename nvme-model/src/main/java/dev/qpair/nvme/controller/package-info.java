/**
 * The NVMe controller model: {@link dev.qpair.nvme.controller.NvmeDevice} (registers, admin and
 * NVM command sets, the polling or inline engine, a controller memory buffer, shadow doorbells)
 * and {@link dev.qpair.nvme.controller.Namespace} (in memory or in a file).
 *
 * <p>Validation follows the NVMe base specification with QEMU's hw/nvme as the bar: every host
 * address goes through the {@link dev.qpair.nvme.DmaMap}, LBA ranges are checked without
 * overflow, PRP offsets, PRP lists and SGL descriptors are checked before any byte moves, and
 * invalid doorbell writes are ignored and reported as asynchronous events. CQEs are written as
 * the OpenVMM emulator does: the low 8 bytes, then the high 8 bytes, which hold the phase tag,
 * with release.
 */
package dev.qpair.nvme.controller;
