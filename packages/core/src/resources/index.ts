export { QuantityError, parseQuantity, parseCpu, parseBytes, formatCpu, formatBytes, parseBandwidth, formatBandwidth } from "./quantity.ts";
