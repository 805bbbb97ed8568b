// Modal dialogs: the native <dialog>'s showModal() makes the rest of the page
// inert, so Tab stays inside; on close, focus goes back to what had it before
// (or to the main content when that control is gone, e.g. a removed row).

export function restoreFocus(previous: Element | null): void {
  if (previous instanceof HTMLElement && previous.isConnected && previous !== document.body) {
    previous.focus();
    return;
  }
  document.getElementById("main")?.focus();
}

/** Opens `dialog` modally; answers the function that restores focus (call it on close or unmount). */
export function openModal(dialog: HTMLDialogElement): () => void {
  const previous = document.activeElement;
  dialog.showModal();
  return () => restoreFocus(previous);
}
