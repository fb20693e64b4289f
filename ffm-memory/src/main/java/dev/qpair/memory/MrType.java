package dev.qpair.memory;

/** How a memory region's address space maps to memory. */
public enum MrType {
    /** {@code ibv_reg_mr}: one contiguous range of one {@link DmaMemory}; re-registered with {@code rereg}. */
    DIRECT,
    /**
     * {@code IB_MR_TYPE_MEM_REG} (fast registration): a list of uniform pages, mapped with
     * {@link MemoryRegion#mapPages}, invalidated locally or remotely and mapped again.
     */
    PAGE_LIST,
    /**
     * Indirect registration (seed 001, mlx5 KLM): arbitrary byte-aligned {@link Sge}s of other
     * memory regions presented as one contiguous region with one key, mapped with
     * {@link MemoryRegion#mapIndirect}, invalidated and mapped again.
     */
    INDIRECT
}
