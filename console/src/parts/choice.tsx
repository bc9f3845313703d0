import type { ComponentChildren, SelectHTMLAttributes } from "preact";
import { useId } from "preact/hooks";

/**
 * A labelled select. The label points at the select by id rather than wrapping it: a wrapped
 * select's accessible name would include the text of all its options ("Type user account…").
 */
export function Choice({
  label,
  children,
  ...select
}: {
  label: ComponentChildren;
  children: ComponentChildren;
} & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} {...select}>
        {children}
      </select>
    </div>
  );
}

/** One option per name, the name shown as it is. */
export function Options({ names }: { names: string[] }) {
  return (
    <>
      {names.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </>
  );
}
