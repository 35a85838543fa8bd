package org.jrnn.examples;

/**
 * What one example learned, for the demo's summary table and its JSON.
 *
 * @param part short name: {@code sentiment}, {@code char-lm} or {@code digits}
 * @param shape the shape of recurrent work: {@code many-to-one}, {@code many-to-many} or {@code
 *     one-to-many}
 * @param metric what {@code value} measures, e.g. {@code test accuracy}
 * @param value the metric
 * @param valueText the metric as the summary prints it
 * @param trainSeconds wall-clock seconds of training
 * @param totalSeconds wall-clock seconds of the whole example (data, training, evaluation)
 * @param steps optimiser updates
 * @param note one line for the summary, e.g. whether the quality floor was met
 */
public record ExampleResult(
    String part,
    String shape,
    String metric,
    double value,
    String valueText,
    double trainSeconds,
    double totalSeconds,
    long steps,
    String note) {}
