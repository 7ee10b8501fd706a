/**
 * {@link chooseModels} against real servers: discovers each distinct base URL once,
 * chooses, then asks only about the chosen models what their server could not say in
 * its lists (Ollama's `/api/show`), and chooses again with that, until nothing new is
 * learnt. A chosen model that turns out to be an embedding model is thereby replaced.
 */
import type { ModelSlot } from '../protocol/index.ts';
import { ModelError, displayUrl } from '../llm/errors.ts';
import { chooseModels, type Choice, type SlotRequest } from './choose.ts';
import { openEndpoint, type EndpointDiscovery } from './discover.ts';
import type { DiscoverOptions, EndpointInfo } from './types.ts';

/** One slot to pick for: like a {@link SlotRequest}, with `known` instead of discovery for endpoints Duet serves itself. */
export interface PickSlot extends Omit<SlotRequest, 'info'> {
  /** What the endpoint is, when it need not be asked (the built-in demo models). */
  known?: EndpointInfo | undefined;
}

/**
 * Discovers both slots' servers and chooses their models. Throws `ModelError` when a
 * server cannot list its models (slot A's failure first) or `signal` aborts.
 */
export async function pickModels(slots: { A: PickSlot; B: PickSlot }, opts: DiscoverOptions = {}): Promise<Choice> {
  const opened = new Map<string, Promise<EndpointDiscovery>>();
  const open = (slot: PickSlot): Promise<EndpointDiscovery> => {
    if (slot.known !== undefined) return Promise.resolve(fixed(slot.known));
    let endpoint = opened.get(slot.baseUrl);
    if (endpoint === undefined) {
      endpoint = openEndpoint(slot.baseUrl, slot.apiKey, opts);
      // Awaited below, after A's: this only keeps an early failure of B from counting as unhandled.
      endpoint.catch(() => undefined);
      opened.set(slot.baseUrl, endpoint);
    }
    return endpoint;
  };
  const pendingA = open(slots.A);
  const pendingB = open(slots.B);
  const endpoints = { A: await pendingA, B: await pendingB };

  for (;;) {
    const request = (slot: ModelSlot): SlotRequest => {
      const { known: _known, ...rest } = slots[slot];
      return { ...rest, info: endpoints[slot].info };
    };
    const choice = chooseModels({ A: request('A'), B: request('B') });
    const asks = toDescribe(choice).filter(({ slot, id }) => endpoints[slot].canDescribe(id));
    if (asks.length === 0) {
      if (opts.signal?.aborted) throw new ModelError('aborted', `Listing the models at ${displayUrl(slots.A.baseUrl)} was stopped.`, { url: displayUrl(slots.A.baseUrl) });
      return choice;
    }
    // Slots that share a server share its discovery: one call per server, each model asked about once.
    const byEndpoint = new Map<EndpointDiscovery, string[]>();
    for (const { slot, id } of asks) byEndpoint.set(endpoints[slot], [...(byEndpoint.get(endpoints[slot]) ?? []), id]);
    await Promise.all([...byEndpoint].map(([endpoint, ids]) => endpoint.describe(ids)));
  }
}

/** The models a choice rests on: the chosen ones, or the refused embedding model (its capabilities may say it can chat after all). */
function toDescribe(choice: Choice): { slot: ModelSlot; id: string }[] {
  if (choice.ok) return [{ slot: 'A', id: choice.models.A.id }, { slot: 'B', id: choice.models.B.id }];
  const { problem } = choice;
  return problem.reason === 'embedding' && problem.model !== undefined ? [{ slot: problem.slot, id: problem.model }] : [];
}

function fixed(info: EndpointInfo): EndpointDiscovery {
  return { info, canDescribe: () => false, describe: () => Promise.resolve(info) };
}
