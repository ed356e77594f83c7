import { appInfo, checkKeychain } from "./api";
import { checkingView, failureView, keychainView, type StatusView } from "./keychain";

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing element #${id}`);
  return element as T;
}

function showStatus(target: HTMLElement, view: StatusView): void {
  target.className = `status status-${view.tone}`;
  target.textContent = view.text;
}

async function start(): Promise<void> {
  const button = byId<HTMLButtonElement>("check-keychain");
  const result = byId<HTMLDivElement>("keychain-result");

  button.addEventListener("click", async () => {
    button.disabled = true;
    showStatus(result, checkingView);
    try {
      showStatus(result, keychainView(await checkKeychain()));
    } catch (error) {
      showStatus(result, failureView(error));
    } finally {
      button.disabled = false;
    }
  });

  try {
    const info = await appInfo();
    document.querySelector('[data-testid="app-version"]')!.textContent = `v${info.version}`;
    document.querySelector('[data-testid="keychain-backend"]')!.textContent = info.keychainBackend;
  } catch (error) {
    showStatus(result, failureView(error));
  }
}

void start();
