import { v1 } from "@authzed/authzed-node";

/**
 * SpiceDB puts its error reason (`ERROR_REASON_…`) in a google.rpc.ErrorInfo inside the gRPC
 * status details. The client package does not export those message types, and only three fields
 * of two small messages are needed, so they are read here with a protobuf wire-format walk.
 */

type Field = { number: number; bytes?: Uint8Array };

/** The top-level fields of a protobuf message; length-delimited ones carry their bytes. */
function* fields(buffer: Uint8Array): Generator<Field> {
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (offset >= buffer.length) throw new RangeError("truncated varint");
      const byte = buffer[offset++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
      if (shift > 63) throw new RangeError("varint too long");
    }
  };
  while (offset < buffer.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        varint();
        yield { number };
        break;
      case 1:
        offset += 8;
        yield { number };
        break;
      case 2: {
        const length = varint();
        if (offset + length > buffer.length) throw new RangeError("truncated field");
        yield { number, bytes: buffer.subarray(offset, offset + length) };
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        yield { number };
        break;
      default:
        throw new RangeError("unsupported wire type");
    }
  }
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

/**
 * The SpiceDB error reason in serialized status details: a google.rpc.Status (`details` = field
 * 3, each an Any of type_url 1 and value 2), or, with `errorInfoOnly`, an ErrorInfo itself
 * (`reason` = field 1). Undefined when there is none or the bytes are not what they should be.
 */
export function errorInfoReason(
  bytes: Uint8Array,
  errorInfoOnly = false,
): v1.ErrorReason | undefined {
  try {
    const infos: Uint8Array[] = [];
    if (errorInfoOnly) infos.push(bytes);
    else {
      for (const detail of fields(bytes)) {
        if (detail.number !== 3 || !detail.bytes) continue;
        let typeUrl = "";
        let value: Uint8Array | undefined;
        for (const part of fields(detail.bytes)) {
          if (part.number === 1) typeUrl = text(part.bytes);
          if (part.number === 2) value = part.bytes;
        }
        if (typeUrl.endsWith("google.rpc.ErrorInfo") && value) infos.push(value);
      }
    }
    for (const info of infos) {
      for (const field of fields(info)) {
        if (field.number !== 1) continue;
        const name = text(field.bytes).replace(/^ERROR_REASON_/, "");
        const reason = v1.ErrorReason[name as keyof typeof v1.ErrorReason];
        if (typeof reason === "number") return reason;
      }
    }
  } catch {
    // Malformed details: classify by the gRPC code alone.
  }
  return undefined;
}
