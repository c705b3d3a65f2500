import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '../domain/app-error.ts';
import { isForbiddenAddress } from './address-policy.ts';
import type { AllowList } from './allow-list.ts';

/** A URL that passed every check before connecting, with the addresses it may be connected to. */
export interface FetchTarget {
  readonly url: URL;
  /** The host without IPv6 brackets. */
  readonly hostname: string;
  /** Every address the host resolved to, all checked; the connection must use one of these. */
  readonly addresses: readonly LookupAddress[];
}

/** What the checks depend on, shared by every hop of one fetch. */
export interface FetchTargetPolicy {
  readonly allow: AllowList;
  readonly allowHttp: boolean;
  readonly lookup: LookupFunction;
  readonly signal: AbortSignal;
}

/**
 * Checks a URL and resolves its host exactly once. The addresses returned are the only ones the
 * caller may connect to: resolving again at connect time would let a DNS answer that changed in
 * between (DNS rebinding) slip past the check.
 *
 * @param subject how the URL is named in messages (`URL`, `redirect 2 (to https://cdn.example)`).
 * @throws AppError `input_forbidden` for a URL that may not be fetched, `input_unreachable` when
 *   the host does not resolve; the signal's reason when the signal fires during resolution.
 */
export async function resolveFetchTarget(
  url: URL,
  subject: string,
  policy: FetchTargetPolicy,
): Promise<FetchTarget> {
  const forbidden = (reason: string): AppError =>
    new AppError('input_forbidden', `${subject} may not be fetched: ${reason}`);

  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw forbidden(`scheme "${url.protocol}" is not allowed (only https)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw forbidden('credentials in the URL (user:password@) are not allowed');
  }
  const hostname = hostOf(url);
  const literalFamily = isIP(hostname);
  if (literalFamily !== 0) {
    const refusal = literalHostRefusal(hostname, policy.allow);
    if (refusal !== undefined) throw forbidden(refusal);
  }
  const addresses: readonly LookupAddress[] =
    literalFamily === 0
      ? await resolveHost(hostname, subject, policy)
      : [{ address: hostname, family: literalFamily }];

  const hostListed = literalFamily === 0 && policy.allow.allowsHost(hostname);
  if (literalFamily === 0 && !hostListed) {
    for (const { address } of addresses) {
      const reason = isForbiddenAddress(address, policy.allow);
      if (reason !== undefined) {
        throw forbidden(`host ${hostname} resolves to ${address}, a forbidden address (${reason})`);
      }
    }
  }

  // Plain http is tolerated only inside the operator's trusted network, or when switched on.
  const trusted = hostListed || addresses.every(({ address }) => policy.allow.allowsAddress(address));
  if (url.protocol === 'http:' && !policy.allowHttp && !trusted) {
    throw forbidden('plain http is not allowed; use https');
  }
  return { url, hostname, addresses };
}

/**
 * The URL's host without IPv6 brackets. The WHATWG parser has already turned `2130706433`,
 * `0x7f.1` and `017700000001` into `127.0.0.1`, so an IP literal is always in canonical form.
 */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Why a host written as an IP address may not be fetched (`host 10.0.0.1 is a forbidden address
 * (private)`), or undefined. Needs no DNS, so submit-time checks use it too; host names are
 * checked only once resolved.
 */
export function literalHostRefusal(hostname: string, allow: AllowList): string | undefined {
  if (isIP(hostname) === 0) return undefined;
  const reason = isForbiddenAddress(hostname, allow);
  return reason === undefined ? undefined : `host ${hostname} is a forbidden address (${reason})`;
}

/**
 * Whether plain http may be used as far as can be told before DNS: switched on, or the host is
 * allow-listed by name or (for an IP literal) by address. A fetch additionally trusts a host name
 * whose every resolved address is allow-listed.
 */
export function plainHttpTrustedBeforeDns(
  url: URL,
  policy: { allow: AllowList; allowHttp: boolean },
): boolean {
  const hostname = hostOf(url);
  if (policy.allowHttp) return true;
  return isIP(hostname) === 0 ? policy.allow.allowsHost(hostname) : policy.allow.allowsAddress(hostname);
}

/** All addresses of a host name, racing the fetch's abort signal (getaddrinfo cannot be cancelled). */
function resolveHost(hostname: string, subject: string, policy: FetchTargetPolicy): Promise<LookupAddress[]> {
  const { signal } = policy;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    policy.lookup(hostname, { all: true }, (error, address, family) => {
      signal.removeEventListener('abort', onAbort);
      if (error !== null) {
        const code = error.code ?? error.message;
        const message = `${subject} could not be fetched: host ${hostname} could not be resolved (${code})`;
        // A missing name stays missing; anything else (EAI_AGAIN, SERVFAIL) may pass on retry.
        reject(new AppError('input_unreachable', message, { retryable: code !== 'ENOTFOUND', cause: error }));
        return;
      }
      // A lookup that ignores `all` answers with one address; accept both shapes.
      const answers = Array.isArray(address) ? address : [{ address, family: family ?? isIP(address) }];
      if (answers.length === 0) {
        reject(
          new AppError(
            'input_unreachable',
            `${subject} could not be fetched: host ${hostname} has no address`,
          ),
        );
        return;
      }
      resolve(answers);
    });
  });
}
