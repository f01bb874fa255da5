import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "../src/ui/providers";
import { AppShell } from "../src/ui/shell/app-shell";
import "./globals.css";

export const metadata: Metadata = {
  title: "Switchyard",
  description: "Control plane for cross-host container networking",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <AppShell>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
