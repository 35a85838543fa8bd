// DType: the element types of the safetensors format, with their sizes in bytes.
// jrnn converts F32, F64, F16, BF16, I32 and I64 to and from Java arrays; the other safetensors
// types
// are understood for layout checks only (a file holding them opens; converting them is an error).
package org.jrnn.io;

/**
 * Element types of a safetensors file, named as in its header ({@code "F32"}, {@code "BF16"}, ...).
 */
public enum DType {
  F64(8, true),
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  I64(8, true),
  I32(4, true),
  // Layout only: valid in files, not converted by jrnn.
  U64(8, false),
  U32(4, false),
  I16(2, false),
  U16(2, false),
  I8(1, false),
  U8(1, false),
  BOOL(1, false),
  F8_E5M2(1, false),
  F8_E4M3(1, false);

  private final int byteSize;
  private final boolean convertible;

  DType(int byteSize, boolean convertible) {
    this.byteSize = byteSize;
    this.convertible = convertible;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** True for the types jrnn converts to and from float/double/int/long arrays. */
  public boolean isConvertible() {
    return convertible;
  }

  /** True for F64, F32, F16 and BF16. */
  public boolean isFloatingPoint() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /** The type named {@code name} in a safetensors header, or null when there is none. */
  public static DType fromHeaderName(String name) {
    for (DType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }
}
