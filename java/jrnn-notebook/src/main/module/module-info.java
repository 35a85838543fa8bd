/** jrnn in Jupyter: charts (XChart), tables and galleries for a Java kernel. */
module org.jrnn.notebook {
  requires transitive org.jrnn.models;
  requires transitive java.desktop;
  requires org.knowm.xchart;

  exports org.jrnn.notebook;
}
