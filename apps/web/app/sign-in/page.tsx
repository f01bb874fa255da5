import type { Metadata } from "next";
import { SignInForm } from "../../src/ui/sign-in/sign-in-form";

export const metadata: Metadata = { title: "Sign in · Switchyard" };

export default function SignInPage() {
  return <SignInForm />;
}
