/** jrnn's image captioning: image features, the captioner, batch captioning. */
module org.jrnn.caption {
  requires transitive org.jrnn.models;
  requires java.desktop;

  exports org.jrnn.caption;

  provides org.jrnn.models.ModelType with
      org.jrnn.caption.CaptionerType;
}
