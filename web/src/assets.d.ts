// Stylesheets are imported for their side effect; Vite bundles them into one hashed CSS file.
declare module '*.css';
