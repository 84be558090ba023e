/**
 * @file Renderer entry: Vue app with Pinia. The back end is reached through src/renderer/src/api, which
 * picks Electron's preload bridge or the browser harness's WebSocket.
 */
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { installDropGuard } from './lib/drop-guard';
import './styles/base.css';
import './styles/components.css';

installDropGuard(document);
createApp(App).use(createPinia()).mount('#app');
