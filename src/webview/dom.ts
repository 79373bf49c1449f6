// What the webview scripts share: the VS Code API handle and DOM building (elements, never HTML strings).

export interface VsCodeApi<Message> {
  postMessage(message: Message): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi<never>;

/** The page's one VS Code API handle (VS Code allows a single acquireVsCodeApi() call). */
export function vsCodeApi<Message>(): VsCodeApi<Message> {
  return acquireVsCodeApi() as unknown as VsCodeApi<Message>;
}

/** An element with attributes (class as className) and children; text children become text nodes, never markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string | undefined | false)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== undefined && child !== false) node.append(child);
  return node;
}

/** A codicon, hidden from screen readers (the text next to it says what it means). */
export function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}
