/**
 * Display helpers for Java notebooks (JJava, IJava) and reports: everything visual is a {@link
 * java.awt.image.BufferedImage}, which Java kernels show as a PNG; charts are drawn with XChart.
 *
 * <ul>
 *   <li>{@link org.jrnn.notebook.Charts}: line, xy and bar charts; images side by side or stacked;
 *   <li>{@link org.jrnn.notebook.TrainingCurves}: loss and metric curves of a run, live ({@code
 *       display} then {@code updateDisplay}) or printed, recorded by wrapping a {@link
 *       org.jrnn.train.Task};
 *   <li>{@link org.jrnn.notebook.Heatmap}: values over time, e.g. hidden states or gates;
 *   <li>{@link org.jrnn.notebook.Activations}: a layer's hidden states and gate activations over a
 *       sequence, and the gradient norm reaching each time step;
 *   <li>{@link org.jrnn.notebook.Gallery}: images with captions beside them (image or HTML);
 *   <li>{@link org.jrnn.notebook.Show}: text summaries of models, tensors and batches.
 * </ul>
 *
 * Adding jrnn to a notebook is one line: {@code %classpath
 * /path/to/jrnn/target/notebook-jars/*.jar} (after {@code scripts/notebook-jars.sh}; IJava: {@code
 * %jars}) or {@code %maven org.jrnn:jrnn:0.1.0-SNAPSHOT} (after {@code mvn install}). See {@code
 * notebooks/README.md}.
 */
package org.jrnn.notebook;
