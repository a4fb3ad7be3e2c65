// import.mjs's baseline: the same runtime start with nothing imported.
export {};
