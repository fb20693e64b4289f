package dev.qpair.nvme;

/** Admin and NVM command set opcodes, and the identifiers their command dwords carry. */
public final class NvmeOpcodes {

    public static final int ADMIN_DELETE_IO_SQ = 0x00;
    public static final int ADMIN_CREATE_IO_SQ = 0x01;
    public static final int ADMIN_GET_LOG_PAGE = 0x02;
    public static final int ADMIN_DELETE_IO_CQ = 0x04;
    public static final int ADMIN_CREATE_IO_CQ = 0x05;
    public static final int ADMIN_IDENTIFY = 0x06;
    public static final int ADMIN_ABORT = 0x08;
    public static final int ADMIN_SET_FEATURES = 0x09;
    public static final int ADMIN_GET_FEATURES = 0x0A;
    public static final int ADMIN_ASYNC_EVENT_REQUEST = 0x0C;
    /** Doorbell Buffer Config: PRP1 is the Shadow Doorbell buffer, PRP2 the EventIdx buffer. */
    public static final int ADMIN_DOORBELL_BUFFER_CONFIG = 0x7C;

    public static final int NVM_FLUSH = 0x00;
    public static final int NVM_WRITE = 0x01;
    public static final int NVM_READ = 0x02;
    public static final int NVM_WRITE_ZEROES = 0x08;
    public static final int NVM_DATASET_MANAGEMENT = 0x09;

    /** Identify CNS: namespace data structure for CDW1.NSID. */
    public static final int CNS_NAMESPACE = 0x00;
    /** Identify CNS: controller data structure. */
    public static final int CNS_CONTROLLER = 0x01;
    /** Identify CNS: active namespace ID list. */
    public static final int CNS_ACTIVE_NAMESPACES = 0x02;

    /** Feature identifier: Volatile Write Cache (Get Features only: the cache is always enabled). */
    public static final int FID_VOLATILE_WRITE_CACHE = 0x06;
    /** Feature identifier: Number of Queues. */
    public static final int FID_NUMBER_OF_QUEUES = 0x07;
    /** Log page identifier: Error Information. */
    public static final int LID_ERROR_INFORMATION = 0x01;
    /** Log page identifier: SMART / Health Information. */
    public static final int LID_SMART_HEALTH = 0x02;

    /** Asynchronous event type: error status. */
    public static final int AER_TYPE_ERROR = 0x0;
    /** Asynchronous event information (error): write to an invalid doorbell register. */
    public static final int AER_INFO_INVALID_DOORBELL_REGISTER = 0x00;
    /** Asynchronous event information (error): invalid doorbell write value. */
    public static final int AER_INFO_INVALID_DOORBELL_VALUE = 0x01;

    private NvmeOpcodes() {
    }
}
