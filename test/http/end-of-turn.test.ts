import { expect, test } from "vitest";
import { answerAtEndOfTurn } from "../../src/http/end-of-turn.js";

test("responses made in one turn are held until the turn ends, then all go", async () => {
  const events: string[] = [];
  const fetch = answerAtEndOfTurn((name: string) => new Response(name));
  setImmediate(() => events.push("turn ended"));
  const answered = await Promise.all(
    ["a", "b", "c"].map((name) =>
      fetch(name).then(async (response) => {
        events.push(await response.text());
      }),
    ),
  );
  expect(answered).toHaveLength(3);
  expect(events).toEqual(["turn ended", "a", "b", "c"]);
});

test("a later turn gets its own end", async () => {
  const fetch = answerAtEndOfTurn(async () => new Response("ok"));
  expect(await (await fetch()).text()).toBe("ok");
  expect(await (await fetch()).text()).toBe("ok");
});

test("a failing handler still fails", async () => {
  const fetch = answerAtEndOfTurn(async (): Promise<Response> => {
    throw new Error("boom");
  });
  await expect(fetch()).rejects.toThrow("boom");
});
