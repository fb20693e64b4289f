package dev.qpair.hca;

/** 128 bytes between a {@link QueuePair}'s host fields and its engine fields (a line pair: adjacent-line prefetch). */
@SuppressWarnings("unused")
abstract class QpHostPad extends QpHostFields {
    byte h000, h001, h002, h003, h004, h005, h006, h007, h008, h009, h010, h011, h012, h013, h014, h015;
    byte h016, h017, h018, h019, h020, h021, h022, h023, h024, h025, h026, h027, h028, h029, h030, h031;
    byte h032, h033, h034, h035, h036, h037, h038, h039, h040, h041, h042, h043, h044, h045, h046, h047;
    byte h048, h049, h050, h051, h052, h053, h054, h055, h056, h057, h058, h059, h060, h061, h062, h063;
    byte h064, h065, h066, h067, h068, h069, h070, h071, h072, h073, h074, h075, h076, h077, h078, h079;
    byte h080, h081, h082, h083, h084, h085, h086, h087, h088, h089, h090, h091, h092, h093, h094, h095;
    byte h096, h097, h098, h099, h100, h101, h102, h103, h104, h105, h106, h107, h108, h109, h110, h111;
    byte h112, h113, h114, h115, h116, h117, h118, h119, h120, h121, h122, h123, h124, h125, h126, h127;
}
