/** A labelled password input: the sign-in, change-password and invite forms all ask for passwords. */
export function PasswordField(props: {
  label: string;
  name: string;
  autoComplete: "current-password" | "new-password";
  value: string;
  onChange: (value: string) => void;
  /** The server named this field as the one at fault. */
  invalid?: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        type="password"
        autoComplete={props.autoComplete}
        required
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        {...(props.invalid === undefined ? {} : { "aria-invalid": props.invalid })}
      />
    </label>
  );
}
