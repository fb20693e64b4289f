package dev.qpair.hca;

/**
 * The fields of a {@link CompletionQueue} that its polling thread writes on every poll, laid out
 * first and kept off the lines the engine reads when it produces a CQE by {@link CqHostPad}.
 */
abstract class CqHostFields {

    boolean polling;
    boolean positioned;
}
