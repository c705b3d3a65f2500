/** A number for an ffmpeg expression or option: fixed-point, never exponent notation. */
export function formatNumber(value: number): string {
  const text = value.toFixed(3).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/**
 * Quotes an expression for a filtergraph: the graph parser keeps commas inside single quotes
 * from splitting the chain, then drops the quotes. Only for generated expressions, which never
 * contain quotes or colons themselves.
 */
export function quoteExpression(expression: string): string {
  return `'${expression}'`;
}
