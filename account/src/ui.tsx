import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { messageOf } from './api.ts';

export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Link(p: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={p.href}
      class={p.class}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        navigate(p.href);
      }}
    >
      {p.children}
    </a>
  );
}

export function Alert(p: { error: string | null }) {
  return p.error ? (
    <p role="alert" class="alert">
      {p.error}
    </p>
  ) : null;
}

export function Done(p: { text: string | null }) {
  return p.text ? (
    <p role="status" class="ok">
      {p.text}
    </p>
  ) : null;
}

/** A form whose submit runs `action`, showing its error (or `done`'s text) below. */
export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<string | undefined | void>) => {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      const msg = await f();
      if (msg) setDone(msg);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return { error, done, busy, run, setError };
}

export function field(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name) as HTMLInputElement | null;
  return el?.type === 'checkbox' ? String(el.checked) : (el?.value ?? '');
}
