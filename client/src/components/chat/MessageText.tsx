import { highlighterIfLoaded, loadHighlighter } from '../../markdown/code-highlight.ts';
import { createMemo, createSignal, For, Match, Show, Switch, useContext, type JSX } from 'solid-js';
import { splitMentions } from '../../../../shared/mentions/mentions.ts';
import {
  parseMessage,
  type MdBlock,
  type MdAlign,
  type MdInline,
  type MdListItem,
} from '../../../../shared/markdown/message-markdown.ts';
import type { MemberInfo } from '../../replica/members.ts';
import { ReplicaContext } from '../../replica/context.ts';
import { CheckIcon } from '../icons.tsx';

/** Lower-cased handle -> the mentioned member, for this message. */
type Mentioned = () => Map<string, MemberInfo>;

/**
 * A message body, read as Markdown (shared/markdown/message-markdown.ts), as DOM nodes: Solid escapes
 * every string and nothing is ever set as HTML, so a body can only be text. Links open in a new tab
 * without giving the page a handle on ours. The `@handle`s the server resolved (`mentions`: member ids)
 * are mention chips, outside code only; handles come from the member cache (looked up by id when not
 * known yet), and an `@word` that names nobody the server mentioned stays plain text.
 */
export function MessageText(props: { body: string; mentions?: readonly string[] }): JSX.Element {
  const replica = useContext(ReplicaContext);
  const mentioned = createMemo(() => {
    const byHandle = new Map<string, MemberInfo>();
    if (!replica) return byHandle;
    for (const id of props.mentions ?? []) {
      const known = replica.members.get(id);
      if (known?.handle) byHandle.set(known.handle.toLowerCase(), known);
      // Not known yet: ask the server for the name; the chip appears when it answers.
      else replica.members.nameOf(id);
    }
    return byHandle;
  });
  const blocks = createMemo(() => parseMessage(props.body));
  const ctx: RenderContext = { mentioned, myId: replica?.userId };
  return <For each={blocks()}>{(block) => renderBlock(block, ctx)}</For>;
}

interface RenderContext {
  mentioned: Mentioned;
  myId: string | undefined;
}

function renderBlock(block: MdBlock, ctx: RenderContext): JSX.Element {
  switch (block.kind) {
    case 'paragraph':
      return <p class="md-p">{renderInline(block.children, ctx)}</p>;
    case 'heading':
      // Not an <h1>–<h3>: a message's headings must not enter the page's outline.
      return <p class={`md-heading md-heading--${block.level}`}>{renderInline(block.children, ctx)}</p>;
    case 'code':
      return <CodeBlock lang={block.lang} text={block.text} />;
    case 'quote':
      return (
        <blockquote class="md-quote">
          <For each={block.blocks}>{(inner) => renderBlock(inner, ctx)}</For>
        </blockquote>
      );
    case 'list':
      return block.ordered ? (
        <ol class="md-list" start={block.start}>
          <For each={block.items}>{(item) => renderItem(item, ctx)}</For>
        </ol>
      ) : (
        <ul class="md-list">
          <For each={block.items}>{(item) => renderItem(item, ctx)}</For>
        </ul>
      );
    case 'table':
      return (
        // Wide tables scroll inside the message; the box takes focus so a keyboard can scroll it too.
        <div class="md-table-wrap" tabindex="0" role="group" aria-label="Table">
          <table class="md-table">
            <thead>
              <tr>
                <For each={block.header}>
                  {(cell, i) => <th style={alignStyle(block.align[i()])}>{renderInline(cell, ctx)}</th>}
                </For>
              </tr>
            </thead>
            <tbody>
              <For each={block.rows}>
                {(row) => (
                  <tr>
                    <For each={row}>
                      {(cell, i) => <td style={alignStyle(block.align[i()])}>{renderInline(cell, ctx)}</td>}
                    </For>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      );
    case 'rule':
      return <hr class="md-rule" />;
  }
}

const alignStyle = (align: MdAlign | undefined) => (align ? { 'text-align': align } : undefined);

function renderItem(item: MdListItem, ctx: RenderContext): JSX.Element {
  return (
    <li classList={{ 'md-task': item.task }}>
      <Show when={item.task}>
        <span
          class="md-task__box"
          classList={{ 'md-task__box--done': item.checked }}
          role="img"
          aria-label={item.checked ? 'Done:' : 'To do:'}
        >
          <Show when={item.checked}>
            <CheckIcon />
          </Show>
        </span>
      </Show>
      <For each={item.blocks}>{(inner) => renderBlock(inner, ctx)}</For>
    </li>
  );
}

function renderInline(parts: readonly MdInline[], ctx: RenderContext): JSX.Element {
  return <For each={parts}>{(part) => renderPart(part, ctx)}</For>;
}

function renderPart(part: MdInline, ctx: RenderContext): JSX.Element {
  switch (part.kind) {
    case 'text':
      return <MentionedText text={part.text} ctx={ctx} />;
    case 'strong':
      return <strong>{renderInline(part.children, ctx)}</strong>;
    case 'em':
      return <em>{renderInline(part.children, ctx)}</em>;
    case 'del':
      return <del>{renderInline(part.children, ctx)}</del>;
    case 'code':
      return <code class="md-code-inline">{part.text}</code>;
    case 'break':
      return <br />;
    case 'link':
      return (
        // The address on hover: "[my bank](https://elsewhere.example)" shows where it really goes.
        <a class="msg__link" href={part.href} title={part.href} target="_blank" rel="noopener noreferrer">
          {renderInline(part.children, ctx)}
        </a>
      );
  }
}

/** Text with the server's resolved mentions as chips (reactive: a name may arrive after the text). */
function MentionedText(props: { text: string; ctx: RenderContext }): JSX.Element {
  const pieces = createMemo(() => {
    const members = props.ctx.mentioned();
    return members.size === 0
      ? [{ kind: 'text' as const, text: props.text }]
      : splitMentions(props.text, (h) => members.has(h));
  });
  return (
    <For each={pieces()}>
      {(piece) => {
        if (piece.kind === 'text') return piece.text;
        const member = props.ctx.mentioned().get(piece.handle);
        return (
          <span
            class="mention"
            classList={{ 'mention--me': member?.id === props.ctx.myId }}
            data-user-id={member?.id}
            title={member?.name}
          >
            {piece.text}
          </span>
        );
      }}
    </For>
  );
}

/** A fenced block: monospaced, scrolls sideways instead of wrapping, with its language and a copy button. */
function CodeBlock(props: { lang: string; text: string }): JSX.Element {
  const [copied, setCopied] = createSignal(false);
  // Coloured once the highlighter is here (at once when it already is); plain text until then.
  const [highlight, setHighlight] = createSignal(highlighterIfLoaded());
  if (props.lang && !highlight()) void loadHighlighter().then((h) => setHighlight(() => h));
  const tokens = createMemo(() => highlight()?.(props.lang, props.text) ?? null);
  const copy = () => {
    void navigator.clipboard
      ?.writeText(props.text)
      .then(() => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      })
      .catch(() => {});
  };
  return (
    <div class="md-code">
      <div class="md-code__bar">
        <span class="md-code__lang">{props.lang || 'code'}</span>
        <button type="button" class="md-code__copy" onClick={copy} aria-label={copied() ? 'Copied' : 'Copy code'}>
          <Switch fallback="Copy">
            <Match when={copied()}>Copied</Match>
          </Switch>
        </button>
      </div>
      <pre class="md-code__pre" tabindex="0" role="group" aria-label={props.lang ? `Code, ${props.lang}` : 'Code'}>
        <code>
          <Show when={tokens()} fallback={props.text}>
            {(runs) => (
              <For each={runs()}>{(run) => (run.classes ? <span class={run.classes}>{run.text}</span> : run.text)}</For>
            )}
          </Show>
        </code>
      </pre>
    </div>
  );
}
