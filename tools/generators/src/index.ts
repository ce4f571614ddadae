export { modelGenerator } from './model/generator';
